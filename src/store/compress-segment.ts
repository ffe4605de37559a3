import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

const CREATE_NEW = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/**
 * Streams `source` (through `transforms`, then gzip) into `target`, atomically: a temp file in the same directory
 * (created fresh, never through a symlink), fsynced, renamed over `target`, the directory
 * fsynced. Compression runs on the thread pool, so the event loop (and training) goes on.
 * A failure removes the temp file and leaves `target` as it was.
 *
 * @example
 * await writeGzipAtomic('runs/a/events-000001.jsonl.gz', fs.createReadStream('runs/a/events-000001.jsonl'));
 */
export async function writeGzipAtomic(target: string, source: Readable, ...transforms: Transform[]): Promise<void> {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    await fs.promises.rm(tmp, { force: true });
    const handle = await fs.promises.open(tmp, CREATE_NEW, 0o644);
    // The write stream closes the handle when done; the data is then fsynced through a new one.
    await pipeline([source, ...transforms, createGzip(), handle.createWriteStream()]);
    const again = await fs.promises.open(tmp, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    await again.sync().finally(() => again.close());
    await fs.promises.rename(tmp, target);
  } catch (err) {
    source.destroy();
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  await syncDirectory(path.dirname(target));
}

/**
 * Compresses a closed plain segment `events-N.jsonl` into `events-N.jsonl.gz`, then removes the
 * plain file. Readers see one or the other complete at every moment (see `listEventFiles`).
 *
 * @example
 * await compressSegment('runs/a/events-000001.jsonl'); // → runs/a/events-000001.jsonl.gz
 */
export function compressSegment(plain: string): Promise<string> {
  // One compression per segment at a time, whoever asks (a writer reopened after a rollback).
  const running = inFlight.get(plain);
  if (running) return running;
  const job = (async () => {
    const gz = `${plain}.gz`;
    await writeGzipAtomic(gz, await openForReading(plain));
    await fs.promises.rm(plain, { force: true });
    return gz;
  })().finally(() => inFlight.delete(plain));
  inFlight.set(plain, job);
  return job;
}

/** Compressions under way in this process, by plain segment path. */
const inFlight = new Map<string, Promise<string>>();

/**
 * Resolves once no segment of `dir` is being compressed by this process (failures are the
 * compressor's to report), so the history can be cut without racing a compression.
 *
 * @example
 * await compressionsSettled('runs/a');
 */
export async function compressionsSettled(dir: string): Promise<void> {
  const prefix = path.join(dir, path.sep);
  await Promise.all(
    [...inFlight].filter(([plain]) => plain.startsWith(prefix)).map(([, job]) => job.catch(() => undefined)),
  );
}

/**
 * Keeps the first `bytes` bytes of the (decompressed) content of a closed segment: a plain one
 * is truncated, a `.gz` one rewritten atomically.
 *
 * @example
 * await truncateSegment('runs/a/events-000003.jsonl.gz', true, 1024);
 */
export async function truncateSegment(file: string, gzip: boolean, bytes: number): Promise<void> {
  if (!gzip) {
    await fs.promises.truncate(file, bytes);
    return;
  }
  await writeGzipAtomic(file, await openForReading(file), createGunzip(), firstBytes(bytes));
}

/** A transform passing on the first `limit` bytes and discarding the rest. */
function firstBytes(limit: number): Transform {
  let left = limit;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (left > 0) {
        const part = chunk.length <= left ? chunk : chunk.subarray(0, left);
        left -= part.length;
        this.push(part);
      }
      done();
    },
  });
}

/** A read stream of `file`, never through a symlink. */
async function openForReading(file: string): Promise<Readable> {
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  return handle.createReadStream();
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await fs.promises.open(dir, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // Directory fsync is best effort (not supported on every filesystem).
  }
}
