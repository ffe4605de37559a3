import { readFileSync } from 'node:fs';
import { UserError } from '../core/user-error.js';

/**
 * Reads a user-named text file as UTF-8, turning file-system failures into one-line
 * {@link UserError}s that name the path, so the CLI never prints an errno stack.
 *
 * A leading byte-order mark is removed: spreadsheet exports often start with one.
 *
 * @example
 * const text = readUserFile('runs/a/events.jsonl');
 */
export function readUserFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError(path, error);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The {@link UserError} for a failed read or write of `path`; exported so that the errno
 * mapping can be tested without a file that even root cannot read.
 *
 * @example
 * fileError('x.csv', Object.assign(new Error(), { code: 'ENOENT' })).message; // 'x.csv: no such file'
 */
export function fileError(path: string, error: unknown): UserError {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new UserError(`${path}: no such file`);
    case 'EISDIR':
      return new UserError(`${path}: is a directory, expected a file`);
    case 'EACCES':
    case 'EPERM':
      return new UserError(`${path}: permission denied`);
    case 'ENOTDIR':
      return new UserError(`${path}: a parent of this path is not a directory`);
    default: {
      return new UserError(`${path}: cannot access (${typeof code === 'string' ? code : 'error'})`);
    }
  }
}
