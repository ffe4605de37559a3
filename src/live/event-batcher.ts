import type { Every } from './sse-handler.js';

/** Options of {@link EventBatcher}. */
export interface EventBatcherOptions<E> {
  /** Sends one batch across the thread boundary, e.g. `port.postMessage`. Required. */
  readonly post: (events: E[]) => void;
  /** Least time between two batches that {@link EventBatcher.add} sends, in ms. Defaults to 250. */
  readonly intervalMs?: number;
  /** Events held at most; beyond it the oldest are dropped (the feed keeps a bounded history anyway). Defaults to 5000. */
  readonly maxPending?: number;
  /** Called when `post` throws; the batch is lost, training goes on. Defaults to ignoring it. */
  readonly onError?: (err: unknown) => void;
  /** Monotonic clock in ms. Defaults to `performance.now`. */
  readonly now?: () => number;
  /** The timer that flushes while no epochs come (paused, long epoch done). Defaults to an unref'd `setInterval`. */
  readonly every?: Every;
}

const unrefEvery: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * The training thread's side of the live feed: collects epoch events and posts them in
 * batches, at most one per `intervalMs` from `add` plus a timer for the tail, so the page
 * sees an epoch within about one interval while fast runs cost one message per interval,
 * not one per epoch. Never blocks, never throws, holds at most `maxPending` events.
 *
 * ```
 * add:    e e e e . . e e e . . . . .
 * post:   [e] . . [eee] . [ee] . [e]     (interval 4 ticks; the timer sends the tail)
 * ```
 *
 * @example
 * const batcher = new EventBatcher<EpochEvent>({ post: (events) => front.postMessage({ type: 'events', events }) });
 * batcher.start();
 * // after each epoch: batcher.add(event);
 * batcher.stop(); // posts what is left
 */
export class EventBatcher<E> {
  private readonly o: EventBatcherOptions<E>;
  private readonly intervalMs: number;
  private readonly maxPending: number;
  private readonly now: () => number;
  private pending: E[] = [];
  private lastPost = -Infinity;
  private cancel: (() => void) | undefined;
  private droppedCount = 0;

  constructor(options: EventBatcherOptions<E>) {
    this.o = options;
    this.intervalMs = options.intervalMs ?? 250;
    this.maxPending = options.maxPending ?? 5000;
    this.now = options.now ?? (() => performance.now());
    if (!(this.intervalMs > 0)) throw new RangeError(`Invalid intervalMs: ${this.intervalMs} (expected > 0)`);
    if (!Number.isInteger(this.maxPending) || this.maxPending < 1)
      throw new RangeError(`Invalid maxPending: ${this.maxPending}`);
  }

  /** Events dropped because more than `maxPending` waited. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Queues `event`; posts the queue when an interval has passed since the last post. */
  add(event: E): void {
    this.pending.push(event);
    if (this.pending.length > this.maxPending) {
      const excess = this.pending.length - this.maxPending;
      this.pending.splice(0, excess);
      this.droppedCount += excess;
    }
    if (this.now() - this.lastPost >= this.intervalMs) this.flush();
  }

  /** Posts whatever is queued now. */
  flush(): void {
    this.lastPost = this.now();
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.o.post(batch);
    } catch (err) {
      this.o.onError?.(err);
    }
  }

  /** Starts the timer that posts the tail of a burst. Idempotent. */
  start(): void {
    this.cancel ??= (this.o.every ?? unrefEvery)(this.intervalMs, () => {
      if (this.now() - this.lastPost >= this.intervalMs / 2) this.flush();
    });
  }

  /** Stops the timer and posts what is left. */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.flush();
  }
}
