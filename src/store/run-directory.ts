import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/user-error.js';
import { writeFileAtomic } from './atomic-write.js';

/** Files of a run directory. */
export interface RunPaths {
  readonly dir: string;
  readonly config: string;
  readonly events: string;
  readonly summary: string;
  readonly report: string;
  readonly checkpoint: string;
}

/** Paths of the files lossband keeps in a run directory. */
export function runPaths(dir: string): RunPaths {
  return {
    dir,
    config: path.join(dir, 'config.json'),
    events: path.join(dir, 'events.jsonl'),
    summary: path.join(dir, 'summary.json'),
    report: path.join(dir, 'report.svg'),
    checkpoint: path.join(dir, 'checkpoint.json'),
  };
}

/**
 * Creates a fresh run directory and records the resolved config in it. Refuses a directory
 * that already holds a run, so a typo in `--out` never appends to or overwrites history.
 *
 * @example
 * const paths = createRunDirectory('runs/demo', config);
 */
export function createRunDirectory(dir: string, config: unknown): RunPaths {
  const paths = runPaths(dir);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UserError(
      `--out ${dir}: cannot create run directory (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  for (const file of [paths.events, paths.config]) {
    if (fs.existsSync(file)) {
      throw new UserError(
        `--out ${dir}: already holds a run (${path.basename(file)}); use --resume ${dir} or another --out`,
      );
    }
  }
  writeFileAtomic(paths.config, JSON.stringify(config, null, 2) + '\n');
  return paths;
}
