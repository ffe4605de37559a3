import { readUserFile } from '../config/read-user-file.js';
import { parseSweep } from './parse-sweep.js';
import type { LoadedSweep } from './sweep-file.js';

/**
 * Reads and validates a YAML or JSON sweep file. Errors are one line naming
 * `file:line:column` and the key; a missing or oversized file is named too.
 *
 * @example
 * const sweep = loadSweepFile('examples/sweep.yaml');
 * const points = expandSweep(sweep);
 */
export function loadSweepFile(file: string): LoadedSweep {
  return parseSweep(readUserFile(file, 'sweep file'), file);
}
