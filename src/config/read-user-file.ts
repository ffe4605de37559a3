import fs from 'node:fs';
import { UserError } from '../core/user-error.js';

/** Largest config or sweep file read: 1 MiB. */
const MAX_BYTES = 1 << 20;

/**
 * The text of a user's config or sweep file, refused with a one-line {@link UserError} when it
 * is not a regular file, is larger than 1 MiB or cannot be read; `what` names it in the
 * message (`run.yaml: cannot read config (ENOENT)`).
 *
 * @example
 * const text = readUserFile('experiments/wine.yaml', 'config');
 */
export function readUserFile(file: string, what: 'config' | 'sweep file'): string {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new UserError(`${file}: not a regular file`);
    if (stat.size > MAX_BYTES) throw new UserError(`${file}: ${what} larger than 1 MiB`);
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
