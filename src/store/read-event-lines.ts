import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UserError } from '../core/user-error.js';
import { listEventFiles, segmentName, type EventFile } from './event-files.js';

/** One line of a run's history. */
export interface EventLine {
  /** The file it is in. */
  readonly file: string;
  /** Its 1-based line number in that file. */
  readonly line: number;
  /** The line without its newline. */
  readonly text: string;
  /** Byte offset of its first byte in the file's (decompressed) content. */
  readonly start: number;
  /** Whether a newline ends it; only the last line of a file can lack one (torn by a crash). */
  readonly terminated: boolean;
  /** Whether it is in the live `events.jsonl` (the only file a crash can leave torn). */
  readonly live: boolean;
  /** Index of its file in the list the reader walked (see `listEventFiles`). */
  readonly fileIndex: number;
}

/** Options of {@link readEventLines}. */
export interface ReadEventLinesOptions {
  /** A longer line is a one-line UserError (`file:line: …`), so a damaged file cannot fill memory. Defaults to 1 MiB. */
  readonly maxLineBytes?: number;
  /** Bytes read from disk at a time. Defaults to 64 KiB. */
  readonly chunkBytes?: number;
  /** The files to read. Defaults to `listEventFiles(dir)`. */
  readonly files?: readonly EventFile[];
}

const NEWLINE = 0x0a;

/**
 * Streams the lines of a run's history in the order they were written: the closed segments
 * (`events-000001.jsonl.gz`, … decompressed on the fly), then the live `events.jsonl`. Memory
 * stays bounded whatever the history's size: one chunk and one line at a time. Blank lines are
 * yielded too (callers decide); a missing history yields nothing.
 *
 * @example
 * for await (const { file, line, text } of readEventLines('runs/a')) console.log(file, line, text.length);
 */
export async function* readEventLines(dir: string, options: ReadEventLinesOptions = {}): AsyncGenerator<EventLine> {
  const maxLine = options.maxLineBytes ?? 1024 * 1024;
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  const files = options.files ?? listEventFiles(dir);
  for (const [fileIndex, entry] of files.entries()) {
    const opened = await openSegment(entry, chunkBytes);
    if (opened === undefined) continue;
    const { file, stream } = opened;
    const live = entry.segment === undefined;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let offset = 0;
    let line = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        let from = 0;
        for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, from)) {
          const piece = chunk.subarray(from, nl);
          const bytes = pendingBytes === 0 ? piece : Buffer.concat([...pending, piece]);
          line += 1;
          if (bytes.length > maxLine) throw tooLong(file, line, maxLine);
          yield { file, line, text: bytes.toString('utf8'), start: offset, terminated: true, live, fileIndex };
          offset += bytes.length + 1;
          pending = [];
          pendingBytes = 0;
          from = nl + 1;
        }
        if (from < chunk.length) {
          pending.push(chunk.subarray(from));
          pendingBytes += chunk.length - from;
          if (pendingBytes > maxLine) throw tooLong(file, line + 1, maxLine);
        }
      }
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(
        `${file}: cannot read the history (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    } finally {
      stream.destroy();
    }
    if (pendingBytes > 0) {
      yield {
        file,
        line: line + 1,
        text: Buffer.concat(pending).toString('utf8'),
        start: offset,
        terminated: false,
        live,
        fileIndex,
      };
    }
  }
}

/** Opens one file of the history; a plain segment compressed meanwhile is read from its `.gz`. */
async function openSegment(
  entry: EventFile,
  chunkBytes: number,
): Promise<{ file: string; stream: Readable } | undefined> {
  const attempt = async (file: string, gzip: boolean): Promise<{ file: string; stream: Readable }> => {
    const handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const raw = handle.createReadStream({ highWaterMark: chunkBytes });
    if (!gzip) return { file, stream: raw };
    const gunzip = createGunzip({ chunkSize: chunkBytes });
    raw.on('error', (e) => gunzip.destroy(e));
    gunzip.on('close', () => raw.destroy());
    return { file, stream: raw.pipe(gunzip) };
  };
  try {
    return await attempt(entry.file, entry.gzip);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && entry.segment !== undefined && !entry.gzip) {
      const gz = entry.file.replace(/[^/\\]+$/, segmentName(entry.segment, true));
      return attempt(gz, true);
    }
    if (code === 'ENOENT' && entry.segment === undefined) return undefined; // no live file (yet)
    if (code === 'ELOOP')
      throw new UserError(`${entry.file}: is a symbolic link; refusing to read the history through it`);
    throw new UserError(`${entry.file}: cannot read the history (${code ?? 'error'})`);
  }
}

function tooLong(file: string, line: number, max: number): UserError {
  return new UserError(`${file}:${line}: line longer than ${max} bytes; not an events file`);
}
