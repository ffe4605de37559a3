import { writeFileAtomic, writeFileAtomicAsync } from './atomic-write.js';
import type { Checkpoint } from './checkpoint.js';
import { errnoOf, isFatalStoreError, StoreFailure } from './store-failure.js';

/** Options of {@link CheckpointWriter}. */
export interface CheckpointWriterOptions {
  /**
   * Called once, for the first write that fails with ENOSPC, EDQUOT, EROFS, ENOENT, EMFILE or
   * ENFILE (the previous checkpoint stays in place: writes are atomic). Also called with the
   * failure a `before` step rejects with (the events writer's). Defaults to `onError`.
   */
  readonly onFatal?: (failure: StoreFailure) => void;
  /** Called for any other failed write, once per errno; the writer keeps going. Defaults to ignoring it. */
  readonly onError?: (err: unknown) => void;
  /** Writes a file atomically in the background. Defaults to `writeFileAtomicAsync`. */
  readonly write?: (file: string, data: string) => Promise<void>;
  /** Writes a file atomically, blocking. Defaults to `writeFileAtomic`. */
  readonly writeSync?: (file: string, data: string) => void;
}

/**
 * Writes periodic checkpoints off the epoch path. The state is serialised synchronously at
 * the epoch boundary; the fsyncs and the rename run in the background, so a checkpoint costs
 * the training loop a `JSON.stringify`, not three disk flushes. Writes never overlap: while one
 * is in flight a new request is skipped (the next one carries newer state). `settle` waits
 * for the write in flight; `writeNow` is the synchronous final checkpoint at shutdown.
 * After a fatal failure (full or read-only disk, directory gone, out of descriptors) it writes
 * nothing more, so a later checkpoint can never claim events that are not on disk.
 *
 * @example
 * const writer = new CheckpointWriter('runs/a/checkpoint.json', { onFatal: (f) => run.stop() });
 * writer.writeInBackground(snapshot, () => events.sync());
 * await writer.settle();
 */
export class CheckpointWriter {
  private inFlight: Promise<void> | undefined;
  private failure: StoreFailure | undefined;
  private readonly reported = new Set<string>();
  private readonly onError: (err: unknown) => void;
  private readonly onFatal: (failure: StoreFailure) => void;
  private readonly write: (file: string, data: string) => Promise<void>;
  private readonly writeSync: (file: string, data: string) => void;

  constructor(
    readonly file: string,
    options: CheckpointWriterOptions = {},
  ) {
    this.onError = options.onError ?? (() => undefined);
    this.onFatal = options.onFatal ?? this.onError;
    this.write = options.write ?? writeFileAtomicAsync;
    this.writeSync = options.writeSync ?? writeFileAtomic;
  }

  /** The failure that stopped the writer, if one did. */
  get fatal(): StoreFailure | undefined {
    return this.failure;
  }

  /**
   * Starts writing `checkpoint` after `before` (which makes the events it covers durable; if it
   * rejects, nothing is written). Returns false when a write is already in flight, or the writer
   * has stopped, and this one was skipped.
   */
  writeInBackground(checkpoint: Checkpoint, before: () => Promise<void>): boolean {
    if (this.inFlight || this.failure) return false;
    const data = JSON.stringify(checkpoint);
    this.inFlight = (async () => {
      await before();
      await this.write(this.file, data);
    })()
      .catch((err: unknown) => this.failed(err))
      .finally(() => {
        this.inFlight = undefined;
      });
    return true;
  }

  /** Resolves once no write is in flight. */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  /** Writes synchronously (call after {@link settle}); errors go to `onFatal` / `onError`. */
  writeNow(checkpoint: Checkpoint): void {
    if (this.failure) return;
    try {
      this.writeSync(this.file, JSON.stringify(checkpoint));
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    if (isFatalStoreError(err)) {
      if (this.failure) return;
      this.failure = err instanceof StoreFailure ? err : new StoreFailure(this.file, err);
      this.onFatal(this.failure);
      return;
    }
    const key = errnoOf(err) ?? (err as Error)?.message ?? String(err);
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.onError(err);
  }
}
