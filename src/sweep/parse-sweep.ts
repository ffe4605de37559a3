import path from 'node:path';
import { issueKey, issueReason } from '../config/format-issue.js';
import { parseLocatedYaml } from '../config/parse-located-yaml.js';
import { UserError } from '../core/user-error.js';
import { configKeyProblem } from './config-key.js';
import { sweepFileSchema, type LoadedSweep, type SweepPath } from './sweep-file.js';

/** Keys the sweep owns: it names each run, the CLI places it, and secrets stay out of files. */
const RESERVED_IN_BASE = ['name', 'out', 'token'];
/** One server serves every run of a sweep, so its address is not a per-run parameter. */
const RESERVED_IN_PARAMS = [...RESERVED_IN_BASE, 'server'];

/** The sweep name a file gets when it has no `name:`: its base name, made a valid name. */
function nameFromFile(file: string): string {
  const stem = path.basename(file, path.extname(file)).replace(/[^A-Za-z0-9._-]+/g, '-');
  return stem.slice(0, 40).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'sweep';
}

/**
 * Parses and validates the text of a sweep file (see {@link sweepFileSchema}). Every error is
 * one line naming `file:line:column` and the key, e.g.
 * `sweep.yaml:7:3: grid.model.lerningRate: unknown config key`.
 *
 * @example
 * const sweep = parseSweep('grid:\n  seed: [1, 2]\n', 'seeds.yaml'); // sweep.name === 'seeds'
 */
export function parseSweep(text: string, file: string): LoadedSweep {
  const { value, where } = parseLocatedYaml(text, file);
  const parsed = sweepFileSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (!issue) throw new UserError(`${file}: invalid sweep file`);
    const key = issueKey(issue);
    const reason = issue.code === 'invalid_key' && issue.issues[0] ? issue.issues[0].message : issueReason(issue);
    throw new UserError(`${where(key)}: ${key.join('.') || '(top level)'}: ${reason}`);
  }
  const spec = parsed.data;
  const fail = (key: SweepPath, reason: string): never => {
    throw new UserError(`${where(key)}: ${key.join('.')}: ${reason}`);
  };
  for (const reserved of RESERVED_IN_BASE) {
    if (spec.base?.[reserved as keyof typeof spec.base] !== undefined) {
      fail(
        ['base', reserved],
        reserved === 'token'
          ? 'not allowed in a sweep file (set LOSSBAND_TOKEN)'
          : 'set by the sweep, not allowed in base',
      );
    }
  }
  const seen: { key: string; at: SweepPath }[] = [];
  const sections: [string, Record<string, unknown[]> | undefined][] = [
    ['grid', spec.grid],
    ['random', spec.random?.choices],
  ];
  for (const [section, params] of sections) {
    for (const key of Object.keys(params ?? {})) {
      const keyPath = section === 'grid' ? ['grid', key] : ['random', 'choices', key];
      if (RESERVED_IN_PARAMS.includes(key.split('.')[0] as string))
        fail(keyPath, 'cannot vary across the runs of a sweep');
      const problem = configKeyProblem(key);
      if (problem) fail(keyPath, problem);
      const clash = seen.find((s) => s.key === key || key.startsWith(`${s.key}.`) || s.key.startsWith(`${key}.`));
      if (clash) fail(keyPath, `overlaps ${clash.at.join('.')}`);
      seen.push({ key, at: keyPath });
    }
  }
  return { file, name: spec.name ?? nameFromFile(file), spec, text, where };
}
