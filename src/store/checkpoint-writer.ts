import { writeFileAtomicAsync } from './atomic-write.js';
import { writeCheckpoint, type Checkpoint } from './checkpoint.js';

/** Options of {@link CheckpointWriter}. */
export interface CheckpointWriterOptions {
  /** Called for every failed write; the writer keeps going. Defaults to ignoring it. */
  readonly onError?: (err: unknown) => void;
}

/**
 * Writes periodic checkpoints off the epoch path. The state is serialised synchronously at
 * the epoch boundary; the fsyncs and the rename run in the background, so a checkpoint costs
 * the training loop a `JSON.stringify`, not three disk flushes. Writes never overlap: while one
 * is in flight a new request is skipped (the next one carries newer state). `settle` waits
 * for the write in flight; `writeNow` is the synchronous final checkpoint at shutdown.
 *
 * @example
 * const writer = new CheckpointWriter('runs/a/checkpoint.json');
 * writer.writeInBackground(snapshot, () => events.sync());
 * await writer.settle();
 */
export class CheckpointWriter {
  private inFlight: Promise<void> | undefined;
  private readonly onError: (err: unknown) => void;

  constructor(
    readonly file: string,
    options: CheckpointWriterOptions = {},
  ) {
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Starts writing `checkpoint` after `before` (which makes the events it covers durable).
   * Returns false when a write is already in flight and this one was skipped.
   */
  writeInBackground(checkpoint: Checkpoint, before: () => Promise<void>): boolean {
    if (this.inFlight) return false;
    const data = JSON.stringify(checkpoint);
    this.inFlight = (async () => {
      await before();
      await writeFileAtomicAsync(this.file, data);
    })()
      .catch(this.onError)
      .finally(() => {
        this.inFlight = undefined;
      });
    return true;
  }

  /** Resolves once no write is in flight. */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  /** Writes synchronously (call after {@link settle}); errors go to `onError`. */
  writeNow(checkpoint: Checkpoint): void {
    try {
      writeCheckpoint(this.file, checkpoint);
    } catch (err) {
      this.onError(err);
    }
  }
}
