import { issueKey, issueReason } from '../config/format-issue.js';
import { resolveConfig } from '../config/resolve-config.js';
import { configSchema, type ConfigInput } from '../config/schema.js';
import { UserError } from '../core/user-error.js';
import { pointName } from './point-name.js';
import { choiceSpaceSize, randomPicks } from './random-picks.js';
import { setDotted } from './set-dotted.js';
import { MAX_SWEEP_POINTS, type LoadedSweep, type SweepPath } from './sweep-file.js';

/** One run of a sweep. */
export interface SweepPoint {
  /** Position in the sweep, 0-based; `lossband sweep --index I` runs `points[I]`. */
  readonly index: number;
  /** Run name `<sweep>-<index>-<slug>`: a valid run name, directory and metrics label. */
  readonly name: string;
  /** The swept keys and this point's values: grid keys first, then random keys, in file order. */
  readonly params: Readonly<Record<string, unknown>>;
  /** `base` with the params set and `name` = {@link SweepPoint.name}; validated. */
  readonly config: ConfigInput;
}

/** A fixed clock: names never depend on it (every point has a name), only the API does. */
const EPOCH = new Date(0);

/** Where a swept value sits in the file, so an error can point at the value itself. */
interface Origin {
  readonly key: string;
  readonly at: SweepPath;
}

/**
 * Expands a sweep into its points, in a fixed order: the grid's cartesian product with the
 * first key varying slowest (like nested loops in file order), each grid combination crossed
 * with the `random.count` seeded picks (drawn once, in draw order). The same file always gives
 * the same points, names and order, on any machine, so `--index I` in a Kubernetes pod runs
 * the same point as a local sweep.
 *
 * Every point's config is validated before any run starts (schema and cross-key checks); the
 * first bad point throws a one-line {@link UserError} naming where the value is, the point and
 * the key: `sweep.yaml:9:24: point 2 (iris-2-lr0): model.learningRate: Too small: …`.
 *
 * @example
 * const points = expandSweep(loadSweepFile('examples/sweep.yaml'));
 * points.length; // 8
 */
export function expandSweep(sweep: LoadedSweep): SweepPoint[] {
  const { spec, where } = sweep;
  const grid = spec.grid ?? {};
  const gridKeys = Object.keys(grid);
  const gridSize = choiceSpaceSize(grid);
  let picks: Record<string, unknown>[] = [{}];
  if (spec.random) {
    const { count, seed = 0, choices } = spec.random;
    const space = choiceSpaceSize(choices);
    if (count > space)
      throw new UserError(
        `${where(['random', 'count'])}: random.count: ${count} exceeds the ${space} distinct combinations of random.choices`,
      );
    if (gridSize * count > MAX_SWEEP_POINTS) {
      throw new UserError(
        `${where(['random', 'count'])}: random.count: the sweep would have ${gridSize * count} points; at most ${MAX_SWEEP_POINTS}`,
      );
    }
    picks = randomPicks(choices, count, seed);
  } else if (gridSize > MAX_SWEEP_POINTS) {
    throw new UserError(`${where(['grid'])}: grid: ${gridSize} points; at most ${MAX_SWEEP_POINTS}`);
  }
  const total = gridSize * picks.length;
  const points: SweepPoint[] = [];
  for (let g = 0; g < gridSize; g++) {
    const gridParams: Record<string, unknown> = {};
    const origins: Origin[] = [];
    let rest = g;
    for (let k = gridKeys.length - 1; k >= 0; k--) {
      const key = gridKeys[k] as string;
      const values = grid[key] as unknown[];
      const i = rest % values.length;
      rest = Math.floor(rest / values.length);
      gridParams[key] = values[i];
      origins.push({ key, at: ['grid', key, i] });
    }
    for (const pick of picks) {
      const params: Record<string, unknown> = {};
      for (const key of gridKeys) params[key] = gridParams[key];
      const pickOrigins = Object.entries(pick).map(([key, value]) => ({
        key,
        at: ['random', 'choices', key, (spec.random?.choices[key] ?? []).indexOf(value)],
      }));
      Object.assign(params, pick);
      points.push(buildPoint(sweep, points.length, total, params, [...origins, ...pickOrigins]));
    }
  }
  return points;
}

function hasPath(value: unknown, key: readonly (string | number)[]): boolean {
  let node = value;
  for (const segment of key) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return false;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return true;
}

function buildPoint(
  sweep: LoadedSweep,
  index: number,
  total: number,
  params: Record<string, unknown>,
  origins: Origin[],
): SweepPoint {
  const name = pointName(sweep.name, index, total, params);
  const draft = structuredClone(sweep.spec.base ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(params)) setDotted(draft, key, structuredClone(value));
  draft.name = name;
  const fail = (key: readonly (string | number)[], reason: string): never => {
    const dotted = key.join('.');
    // A cross-key error names one key (`noise.min`) though the swept one (`noise.max`) may be
    // the culprit: when the named key is neither swept nor in base, blame a swept key of its section.
    const origin =
      origins.find((o) => dotted === o.key || dotted.startsWith(`${o.key}.`) || o.key.startsWith(`${dotted}.`)) ??
      (hasPath(sweep.spec.base, key) ? undefined : origins.find((o) => o.key.split('.')[0] === key[0]));
    const inside = origin && dotted.startsWith(`${origin.key}.`) ? key.slice(origin.key.split('.').length) : [];
    const at = origin ? sweep.where([...origin.at, ...inside]) : sweep.where(['base', ...key]);
    throw new UserError(`${at}: point ${index} (${name}): ${dotted || '(top level)'}: ${reason}`);
  };
  const parsed = configSchema.safeParse(draft);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(issue ? issueKey(issue) : [], issue ? issueReason(issue) : 'invalid config');
  }
  try {
    resolveConfig([parsed.data], EPOCH);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const m = /^([A-Za-z][A-Za-z0-9.]*): (.*)$/.exec(err.message);
    return fail(m ? (m[1] as string).split('.') : [], m ? (m[2] as string) : err.message);
  }
  return { index, name, params, config: parsed.data };
}
