import fs from 'node:fs';
import path from 'node:path';
import type { EpochEvent } from '../core/epoch-event.js';
import { compressSegment } from './compress-segment.js';
import { listEventFiles, plainLeftovers, segmentName } from './event-files.js';
import { errnoOf, isFatalStoreError, StoreFailure } from './store-failure.js';

/** Default size at which `events.jsonl` is closed and compressed into a segment: 64 MiB. */
export const DEFAULT_ROTATE_BYTES = 64 * 1024 * 1024;

const MAX_BACKLOG = 64 * 1024 * 1024;
const APPEND = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;

/** The file-system calls the writer makes on `events.jsonl`; injectable to test failures. */
export interface EventsFs {
  /** Like `fs.writeSync(fd, buffer, offset, length)`: returns the bytes written, which may be fewer. */
  readonly write: (fd: number, buffer: Buffer, offset: number, length: number) => number;
  readonly fsync: (fd: number) => void;
}

/** Options of {@link EventsWriter}. */
export interface EventsWriterOptions {
  /** Flush once this many bytes are buffered. Defaults to 64 KiB. */
  readonly maxBufferBytes?: number;
  /** Flush when the oldest buffered line is this old, in ms. Defaults to 1000. */
  readonly maxDelayMs?: number;
  /** Clock in ms. Defaults to `Date.now`. */
  readonly now?: () => number;
  /**
   * Record every `every`-th epoch (epochs divisible by it), every non-finite epoch, and the last
   * epoch appended before {@link EventsWriter.close}. Defaults to 1: every epoch.
   */
  readonly every?: number;
  /**
   * Once `events.jsonl` holds this many bytes it is closed as segment `events-NNNNNN.jsonl` and
   * compressed in the background to `events-NNNNNN.jsonl.gz`; a fresh `events.jsonl` takes the
   * next events. 0 never rotates. Defaults to {@link DEFAULT_ROTATE_BYTES} (64 MiB).
   */
  readonly rotateBytes?: number;
  /**
   * Called once, for the first write that fails with ENOSPC, EDQUOT, EROFS, ENOENT, EMFILE or
   * ENFILE (see `isFatalStoreError`): the file holds whole lines only (a torn batch is cut back
   * to the last newline) and the writer writes nothing more. Defaults to `onError`.
   */
  readonly onFatal?: (failure: StoreFailure) => void;
  /**
   * Called for any other failure (the writer keeps the lines and retries at the next flush),
   * once per errno, not once per epoch. Defaults to ignoring it.
   */
  readonly onError?: (err: unknown) => void;
  /** The write and fsync calls. Defaults to `fs.writeSync` and `fs.fsyncSync`. */
  readonly fs?: EventsFs;
}

/**
 * Appends epoch events to a run's `events.jsonl`, one JSON object per line, batching writes so
 * the per-epoch cost is a string concat.
 *
 * - **Whole lines only:** a batch is written in full or not at all; a short write is cut back
 *   to the last newline, so a full disk never leaves a torn line.
 * - **Fatal errors** (full or read-only disk, directory gone, out of descriptors) go to
 *   `onFatal` once; the writer then stops, and the run stops cleanly. Anything else goes to
 *   `onError` (once per errno) and never stops training (ARCHITECTURE.md, rule 4).
 * - **Bounded disk:** `every` thins the record; `rotateBytes` closes `events.jsonl` into gzip
 *   segments (`events-000001.jsonl.gz`, …) read back in order by `readEventLines`.
 *
 * @example
 * const w = new EventsWriter('runs/a/events.jsonl', { onFatal: (f) => run.stop() });
 * w.append(event); w.close();
 */
export class EventsWriter {
  private fd: number | undefined;
  private buffer = '';
  private since = 0;
  /** Bytes of whole lines in the live file: where a torn write is cut back to. */
  private size: number;
  private segment: number;
  private pending: EpochEvent | undefined;
  private failure: StoreFailure | undefined;
  private readonly reported = new Set<string>();
  private compressing: Promise<void> = Promise.resolve();
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly maxDelay: number;
  private readonly now: () => number;
  private readonly every: number;
  private readonly rotateBytes: number;
  private readonly onFatal: (failure: StoreFailure) => void;
  private readonly onError: (err: unknown) => void;
  private readonly io: EventsFs;

  /** Opens (or creates) `file`; never through a symlink. Throws the open's error. */
  constructor(
    readonly file: string,
    options: EventsWriterOptions = {},
  ) {
    this.dir = path.dirname(file);
    this.maxBytes = options.maxBufferBytes ?? 64 * 1024;
    this.maxDelay = options.maxDelayMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.every = options.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1)
      throw new RangeError(`every must be a positive integer, got ${this.every}`);
    this.rotateBytes = options.rotateBytes ?? DEFAULT_ROTATE_BYTES;
    this.onError = options.onError ?? (() => undefined);
    this.onFatal = options.onFatal ?? this.onError;
    this.io = options.fs ?? { write: (fd, b, o, l) => fs.writeSync(fd, b, o, l), fsync: (fd) => fs.fsyncSync(fd) };
    // O_NOFOLLOW: a symlink planted at events.jsonl must not send the history elsewhere.
    this.fd = fs.openSync(file, APPEND, 0o644);
    this.size = fs.fstatSync(this.fd).size;
    const files = listEventFiles(this.dir);
    this.segment = files.reduce((n, f) => Math.max(n, f.segment ?? 0), 0);
    // What a killed process left: plain copies of compressed segments, and segments not compressed yet.
    for (const plain of plainLeftovers(this.dir)) fs.rmSync(plain, { force: true });
    for (const f of files) if (f.segment !== undefined && !f.gzip) this.compress(f.file);
  }

  /** The failure that stopped the writer, if one did. */
  get fatal(): StoreFailure | undefined {
    return this.failure;
  }

  append(event: EpochEvent): void {
    if (this.failure) return;
    if (event.epoch % this.every !== 0 && !event.nonFinite) {
      this.pending = event;
      return;
    }
    this.pending = undefined;
    this.push(event);
  }

  /** Writes everything buffered; with `sync`, also fsyncs it to disk (and notices a deleted file). */
  flush(sync = false): void {
    if (this.fd === undefined || this.failure) return;
    const fd = this.fd;
    if (this.buffer.length > 0) {
      const bytes = Buffer.from(this.buffer);
      let done = 0;
      try {
        while (done < bytes.length) {
          const n = this.io.write(fd, bytes, done, bytes.length - done);
          if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'ENOSPC' });
          done += n;
        }
      } catch (err) {
        if (done > 0 && !this.cutBack(fd)) return;
        this.failed(err);
        return;
      }
      this.size += bytes.length;
      this.buffer = '';
    }
    if (sync) {
      try {
        this.io.fsync(fd);
        // Appends to a deleted file succeed; the run directory is gone all the same.
        if (deleted(fd)) throw Object.assign(new Error('events.jsonl was deleted'), { code: 'ENOENT' });
      } catch (err) {
        this.failed(err);
        return;
      }
    }
    if (this.rotateBytes > 0 && this.size >= this.rotateBytes) this.rotate();
  }

  /**
   * Writes what is buffered, then fsyncs the file without blocking the event loop. Rejects with
   * the {@link StoreFailure} once the writer has stopped: the events a checkpoint would cover are
   * not on disk then, so no checkpoint may be written.
   */
  sync(): Promise<void> {
    this.flush();
    if (this.failure) return Promise.reject(this.failure);
    const fd = this.fd;
    if (fd === undefined) return Promise.resolve();
    return new Promise((resolve, reject) =>
      fs.fsync(fd, (err) => {
        if (!err && this.fd === fd && deleted(fd))
          err = Object.assign(new Error('events.jsonl was deleted'), { code: 'ENOENT' });
        if (err) this.failed(err);
        // Not durable, so not something a checkpoint may claim: reject even when training goes on.
        if (this.failure || err) reject(this.failure ?? err);
        else resolve();
      }),
    );
  }

  /** Records the last appended epoch if `every` skipped it, flushes, fsyncs and closes the file. */
  close(): void {
    if (this.pending && !this.failure) {
      this.push(this.pending);
      this.pending = undefined;
    }
    this.flush(true);
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch (err) {
        this.report(err);
      }
    }
    this.fd = undefined;
  }

  /** Resolves once the background compression of closed segments is done (failures go to `onError`). */
  settle(): Promise<void> {
    return this.compressing;
  }

  private push(event: EpochEvent): void {
    if (this.buffer.length === 0) this.since = this.now();
    this.buffer += JSON.stringify(event) + '\n';
    if (this.buffer.length >= this.maxBytes || this.now() - this.since >= this.maxDelay) this.flush();
  }

  /** Cuts a torn batch back to the last whole line; false (after reporting) when even that fails. */
  private cutBack(fd: number): boolean {
    try {
      fs.ftruncateSync(fd, this.size);
      return true;
    } catch (err) {
      this.fail(new StoreFailure(this.file, err));
      return false;
    }
  }

  /** Closes `events.jsonl` as the next segment, opens a fresh one, compresses the closed one. */
  private rotate(): void {
    const fd = this.fd as number;
    const closed = path.join(this.dir, segmentName(this.segment + 1, false));
    try {
      this.io.fsync(fd);
      fs.closeSync(fd);
      this.fd = undefined;
      fs.renameSync(this.file, closed);
      this.segment += 1;
      this.fd = fs.openSync(this.file, APPEND | fs.constants.O_EXCL, 0o644);
      this.size = 0;
    } catch (err) {
      this.failed(err);
      return;
    }
    this.compress(closed);
  }

  private compress(plain: string): void {
    this.compressing = this.compressing.then(() =>
      compressSegment(plain).then(
        () => undefined,
        (err: unknown) => this.report(err),
      ),
    );
  }

  private failed(err: unknown): void {
    if (isFatalStoreError(err)) this.fail(err instanceof StoreFailure ? err : new StoreFailure(this.file, err));
    else {
      // Keep the lines for the next flush; only a runaway backlog is dropped.
      if (this.buffer.length > MAX_BACKLOG) this.buffer = '';
      this.report(err);
    }
  }

  private fail(failure: StoreFailure): void {
    if (this.failure) return;
    this.failure = failure;
    this.buffer = '';
    this.pending = undefined;
    this.onFatal(failure);
  }

  private report(err: unknown): void {
    const key = errnoOf(err) ?? (err as Error)?.message ?? String(err);
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.onError(err);
  }
}

/** Whether the open file has no name left (its directory was deleted). */
function deleted(fd: number): boolean {
  try {
    return fs.fstatSync(fd).nlink === 0;
  } catch {
    return false;
  }
}
