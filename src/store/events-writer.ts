import fs from 'node:fs';
import type { EpochEvent } from '../core/epoch-event.js';

const MAX_BACKLOG = 64 * 1024 * 1024;

/** Options of {@link EventsWriter}. */
export interface EventsWriterOptions {
  /** Flush once this many bytes are buffered. Defaults to 64 KiB. */
  readonly maxBufferBytes?: number;
  /** Flush when the oldest buffered line is this old, in ms. Defaults to 1000. */
  readonly maxDelayMs?: number;
  /** Clock in ms. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Called for every write error; the writer keeps going. Defaults to ignoring it. */
  readonly onError?: (err: unknown) => void;
}

/**
 * Appends epoch events to `events.jsonl`, one JSON object per line, batching writes so the
 * per-epoch cost is a string concat. A write error is reported through `onError` and never
 * thrown: a full disk must not stop training (ARCHITECTURE.md, rule 4).
 *
 * @example
 * const w = new EventsWriter('runs/a/events.jsonl');
 * w.append(event); w.close();
 */
export class EventsWriter {
  private fd: number | undefined;
  private buffer = '';
  private since = 0;
  private readonly maxBytes: number;
  private readonly maxDelay: number;
  private readonly now: () => number;
  private readonly onError: (err: unknown) => void;

  constructor(readonly file: string, options: EventsWriterOptions = {}) {
    this.maxBytes = options.maxBufferBytes ?? 64 * 1024;
    this.maxDelay = options.maxDelayMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => undefined);
    // O_NOFOLLOW: a symlink planted at events.jsonl must not send the history elsewhere.
    this.fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o644);
  }

  append(event: EpochEvent): void {
    if (this.buffer.length === 0) this.since = this.now();
    this.buffer += JSON.stringify(event) + '\n';
    if (this.buffer.length >= this.maxBytes || this.now() - this.since >= this.maxDelay) this.flush();
  }

  /** Writes everything buffered; with `sync`, also fsyncs it to disk. */
  flush(sync = false): void {
    if (this.fd === undefined) return;
    try {
      if (this.buffer.length > 0) fs.writeSync(this.fd, this.buffer);
      this.buffer = '';
      if (sync) fs.fsyncSync(this.fd);
    } catch (err) {
      // Keep the lines for the next flush; only a runaway backlog is dropped.
      if (this.buffer.length > MAX_BACKLOG) this.buffer = '';
      this.onError(err);
    }
  }

  /** Writes what is buffered, then fsyncs the file without blocking the event loop. */
  sync(): Promise<void> {
    this.flush();
    const fd = this.fd;
    if (fd === undefined) return Promise.resolve();
    return new Promise((resolve) =>
      fs.fsync(fd, (err) => {
        if (err) this.onError(err);
        resolve();
      }),
    );
  }

  close(): void {
    this.flush(true);
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch (err) {
        this.onError(err);
      }
    }
    this.fd = undefined;
  }
}
