import fs from 'node:fs';
import { UserError } from '../core/user-error.js';
import { parseSweep } from './parse-sweep.js';
import type { LoadedSweep } from './sweep-file.js';

const MAX_SWEEP_BYTES = 1 << 20;

/**
 * Reads and validates a YAML or JSON sweep file. Errors are one line naming
 * `file:line:column` and the key; a missing or oversized file is named too.
 *
 * @example
 * const sweep = loadSweepFile('examples/sweep.yaml');
 * const points = expandSweep(sweep);
 */
export function loadSweepFile(file: string): LoadedSweep {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new UserError(`${file}: not a regular file`);
    if (stat.size > MAX_SWEEP_BYTES) throw new UserError(`${file}: sweep file larger than 1 MiB`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read sweep file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseSweep(text, file);
}
