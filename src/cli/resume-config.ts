import fs from 'node:fs';
import path from 'node:path';
import { issueKey, issueReason } from '../config/format-issue.js';
import { resolveConfig } from '../config/resolve-config.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { configSchema, type ConfigInput } from '../config/schema.js';
import { UserError } from '../core/user-error.js';
import type { RunFlags } from './flags.js';

/**
 * Flags allowed with --resume: how a run is served or shown, and `--epochs` (the new total,
 * which extends a run without changing what each epoch computes).
 */
const RUNTIME_FLAGS = new Set(['resume', 'port', 'host', 'quiet', 'debug', 'epochs']);

const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * The config of a run to resume: the one recorded in its directory, with only runtime
 * flags (`--port`, `--host`, `--quiet`) and `--epochs` (a new total) layered on top. Any flag that would change the
 * computation is refused, so a resumed run is the same experiment.
 */
export function resumeConfig(dir: string, flags: RunFlags, runtime: ConfigInput): ResolvedConfig {
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined || RUNTIME_FLAGS.has(key) || (key === 'standardize' && value === true)) continue;
    throw new UserError(
      `${flagName(key === 'standardize' ? 'noStandardize' : key)}: cannot be used with --resume (a resumed run keeps its own config)`,
    );
  }
  const file = path.join(dir, 'config.json');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `--resume ${dir}: not a run directory (no config.json)`
        : `${file}: cannot read the run's config`,
    );
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${file}: ${issue ? `${issueKey(issue).join('.')}: ${issueReason(issue)}` : 'invalid config'}`);
  }
  // Runs recorded before noise.scale and noise.antithetic existed added independent σ in input
  // units: keep that on resume.
  const noise = parsed.data.noise;
  const recorded = {
    ...parsed.data,
    noise: { ...noise, scale: noise?.scale ?? 'absolute', antithetic: noise?.antithetic ?? false },
  };
  return resolveConfig([recorded, runtime, { out: dir }], new Date());
}
