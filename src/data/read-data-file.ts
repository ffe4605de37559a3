import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/user-error.js';
import { firstInvalidUtf8 } from './first-invalid-utf8.js';
import { fileError } from './read-user-file.js';

/** Largest data file lossband reads: 256 MiB. A table that size is about 2 GiB as float32 features in memory. */
export const MAX_DATA_FILE_BYTES = 256 * 1024 * 1024;

/** Where a dataset was read from: the file's absolute path and a SHA-256 of its bytes. */
export interface DataOrigin {
  readonly path: string;
  /** SHA-256 of the file's bytes, lowercase hex. */
  readonly sha256: string;
  readonly bytes: number;
}

/** Options of {@link readDataFile}. */
export interface ReadDataFileOptions {
  /** A larger file is refused before it is read. Defaults to {@link MAX_DATA_FILE_BYTES}. */
  readonly maxBytes?: number;
}

const KIND: ReadonlyArray<[(s: fs.Stats) => boolean, string]> = [
  [(s) => s.isFIFO(), 'a FIFO'],
  [(s) => s.isCharacterDevice(), 'a character device'],
  [(s) => s.isBlockDevice(), 'a block device'],
  [(s) => s.isSocket(), 'a socket'],
];

/**
 * Reads a data file whole, after checking it up front: it must be a regular file (never a
 * device such as `/dev/zero` or a FIFO, which would hang or exhaust memory) of at most
 * `maxBytes`, and valid UTF-8 (so `caf\xe9` and `caf\xe8` cannot both decode to `caf�` and
 * merge into one class). The file is opened non-blocking and checked through its descriptor,
 * so what is checked is what is read. Returns the text (BOM removed) and its origin: the
 * absolute path and a SHA-256 of exactly the bytes read. Every refusal is a one-line
 * {@link UserError} naming the file (and `file:line:column` for bad UTF-8).
 *
 * @example
 * const { text, origin } = readDataFile('flowers.csv');
 * origin.sha256; // '9f86d0…'
 */
export function readDataFile(file: string, options: ReadDataFileOptions = {}): { text: string; origin: DataOrigin } {
  const max = options.maxBytes ?? MAX_DATA_FILE_BYTES;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (error) {
    throw fileError(file, error);
  }
  let bytes: Buffer;
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw fileError(file, { code: 'EISDIR' });
    const kind = KIND.find(([is]) => is(stat));
    if (kind) throw new UserError(`${file}: is ${kind[1]}, not a regular file; a data file must be a CSV file`);
    if (stat.size > max) throw new UserError(`${file}: ${mib(stat.size)} is over the ${mib(max)} limit for data files`);
    bytes = readAll(fd, file, stat.size, max);
  } finally {
    fs.closeSync(fd);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const before = bytes.subarray(0, bad);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = bad - (before.lastIndexOf(0x0a) + 1) + 1;
    const byte = (bytes[bad] as number).toString(16).padStart(2, '0');
    throw new UserError(`${file}:${line}:${column}: not valid UTF-8 (byte 0x${byte}); save the file as UTF-8`);
  }
  const text = bytes.toString('utf8');
  return {
    text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
    origin: { path: path.resolve(file), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length },
  };
}

/** Reads to the end; a file that grew past `max` since it was checked is refused too. */
function readAll(fd: number, file: string, size: number, max: number): Buffer {
  let buffer = Buffer.allocUnsafe(Math.min(size, max) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > max) throw new UserError(`${file}: grew over the ${mib(max)} limit for data files while being read`);
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, max + 1));
      buffer.copy(bigger);
      buffer = bigger;
    }
    let n: number;
    try {
      n = fs.readSync(fd, buffer, length, buffer.length - length, null);
    } catch (error) {
      throw fileError(file, error);
    }
    if (n === 0) return buffer.subarray(0, length);
    length += n;
  }
}

/** `304 MiB`, `2.9 KiB`: the unit that keeps the number readable. */
function mib(bytes: number): string {
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'MiB'] : [bytes / 1024, 'KiB'];
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${unit}`;
}
