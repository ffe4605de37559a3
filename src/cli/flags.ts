import { quote, UserError } from '../core/user-error.js';
import { configSchema, type ConfigInput } from '../config/schema.js';
import { issueKey, issueReason } from '../config/format-issue.js';

/** Raw option values as commander hands them over (strings, or booleans for switches). */
export type RunFlags = Record<string, string | boolean | undefined>;

/** Config key → the flag that sets it, for error messages that name what the user typed. */
const FLAG_OF: Readonly<Record<string, string>> = {
  name: '--name',
  preset: '--preset',
  epochs: '--epochs',
  seed: '--seed',
  backend: '--backend',
  out: '--out',
  'data.path': '--data',
  'data.label': '--label',
  'data.testFraction': '--test-fraction',
  'data.standardize': '--no-standardize',
  'model.hidden': '--hidden',
  'model.optimizer': '--optimizer',
  'model.learningRate': '--learning-rate',
  'model.batchSize': '--batch-size',
  'noise.sigma': '--sigma',
  'noise.draws': '--draws',
  'noise.scale': '--noise-scale',
  'noise.budget': '--noise-budget',
  band: '--band',
  'band.lo': '--band',
  'band.hi': '--band',
  'controller.type': '--controller',
  'server.port': '--port',
  'server.host': '--host',
  checkpointEvery: '--checkpoint-every',
  onNonFinite: '--on-non-finite',
  'events.every': '--events-every',
  'metrics.cleanEvery': '--clean-every',
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function num(flag: string, value: string): number {
  if (!NUMBER.test(value.trim())) throw new UserError(`${flag}: not a number: ${quote(value)}`);
  return Number(value);
}

function band(value: string): { lo: number; hi: number } {
  const parts = value.split(':');
  if (parts.length !== 2) throw new UserError(`--band: expected LO:HI, got ${quote(value)}`);
  return { lo: num('--band', parts[0] as string), hi: num('--band', parts[1] as string) };
}

/**
 * Turns `lossband run` flags into a config layer and validates it with the same schema as
 * config files, so an error names the flag the user typed (`--learning-rate: Too small …`).
 *
 * @example
 * flagsToConfig({ epochs: '200', band: '0.3:0.4' }); // { epochs: 200, band: { lo: 0.3, hi: 0.4 } }
 */
export function flagsToConfig(flags: RunFlags): ConfigInput {
  const s = (k: string): string | undefined => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  const n = (k: string, flag: string): number | undefined =>
    s(k) === undefined ? undefined : num(flag, s(k) as string);
  const layer: Record<string, unknown> = {
    name: s('name'),
    preset: s('preset'),
    epochs: n('epochs', '--epochs'),
    seed: s('seed') === undefined ? undefined : NUMBER.test(s('seed') as string) ? Number(s('seed')) : s('seed'),
    backend: s('backend'),
    out: s('out'),
    checkpointEvery: n('checkpointEvery', '--checkpoint-every'),
    onNonFinite: s('onNonFinite'),
    band: s('band') === undefined ? undefined : band(s('band') as string),
    data: {
      path: s('data'),
      label: s('label'),
      testFraction: n('testFraction', '--test-fraction'),
      standardize: flags.standardize === false ? false : undefined,
    },
    model: {
      hidden: s('hidden')
        ?.split(',')
        .map((h) => num('--hidden', h)),
      optimizer: s('optimizer'),
      learningRate: n('learningRate', '--learning-rate'),
      batchSize: s('batchSize') === 'full' ? null : n('batchSize', '--batch-size'),
    },
    noise: {
      sigma: n('sigma', '--sigma'),
      draws: s('draws') === 'auto' ? 'auto' : n('draws', '--draws'),
      scale: s('noiseScale'),
      budget: n('noiseBudget', '--noise-budget'),
    },
    controller: { type: s('controller') },
    server: { port: n('port', '--port'), host: s('host') },
    events: { every: n('eventsEvery', '--events-every') },
    metrics: { cleanEvery: n('cleanEvery', '--clean-every') },
  };
  const parsed = configSchema.safeParse(prune(layer));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  // `model.hidden.0` → `model.hidden`: the flag names the list, not its element.
  const key = issue
    ? issueKey(issue)
        .filter((p) => typeof p === 'string')
        .join('.')
    : '';
  throw new UserError(`${FLAG_OF[key] ?? key}: ${issue ? issueReason(issue) : 'invalid value'}`);
}

/** Drops undefined values and sections left empty, so absent flags do not override. */
function prune(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const inner = prune(v as Record<string, unknown>);
      if (Object.keys(inner).length > 0) out[k] = inner;
    } else out[k] = v;
  }
  return out;
}
