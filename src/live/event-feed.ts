import { randomBytes } from 'node:crypto';
import type { FeedEvent, FeedMessage } from './feed-event.js';
import { RunHistory } from './run-history.js';
import { thinBatch } from './thin-batch.js';

/**
 * The receiving end of a subscription, e.g. one SSE connection. The feed calls it
 * synchronously from {@link EventFeed.append}, so it must not block.
 */
export interface FeedSubscriber<E extends FeedEvent = FeedEvent> {
  /**
   * Sends a batch of messages. Returns `false` when the transport took them but is now full
   * (as `stream.write` does): the feed then holds further messages in the subscriber's
   * bounded queue until {@link FeedSubscription.drained} is called.
   */
  write(messages: readonly FeedMessage<E>[]): boolean;
  /** The feed has dropped this subscriber (`slow`: its queue overflowed; `failed`: `write` threw). End the connection. */
  dropped(reason: DropReason): void;
}

export type DropReason = 'slow' | 'failed';

/** What a subscriber gets back from {@link EventFeed.subscribe}. */
export interface FeedSubscription {
  /** The history's identity when the subscription began (reset messages bring later ones). */
  readonly instance: string;
  /** The transport can take more: flush the queue. */
  drained(): void;
  /** Ends the subscription (e.g. the client went away). Idempotent. */
  close(): void;
}

/** Where a new subscriber starts. */
export interface SubscribeFrom {
  /** Replay only epochs above this one. Defaults to 0: the whole (decimated) history. */
  readonly since?: number | undefined;
  /**
   * The history identity the client's points came from. When it differs from the run's
   * current one, the client's points are void: the replay starts with `reset` to epoch 1 and
   * sends the whole history, whatever `since` says. Defaults to trusting `since`.
   */
  readonly instance?: string | undefined;
}

/** Options of {@link EventFeed}. */
export interface EventFeedOptions {
  /** Most points of history kept per run. Defaults to 2000. */
  readonly maxPoints?: number;
  /** Newest events per run kept at full resolution. Defaults to half of `maxPoints`. */
  readonly recent?: number;
  /**
   * Most epochs of one run sent live per appended batch: a longer batch (a run faster than a
   * chart can show) is thinned to its lowest- and highest-loss epochs per bucket and its last
   * epoch (see `thinBatch`); the history keeps every epoch as before. Defaults to 16 (64 a second at the batcher's 250 ms).
   */
  readonly livePoints?: number;
  /** Messages a subscriber may have waiting before it is dropped as slow. Defaults to 1000. */
  readonly maxQueue?: number;
  /** Subscribers across all runs; {@link EventFeed.subscribe} refuses more. Defaults to 64. */
  readonly maxSubscribers?: number;
  /** Makes a new history identity. Defaults to 8 random hex digits. */
  readonly newInstance?: () => string;
  /** Called once for every dropped subscriber, e.g. to count it. Defaults to nothing. */
  readonly onDrop?: (run: string, reason: DropReason) => void;
}

/** Counters for metrics and tests. */
export interface FeedStats {
  readonly runs: number;
  readonly subscribers: number;
  /** Subscribers dropped as slow or failed, ever. */
  readonly dropped: number;
  /** Events ignored because their run or epoch was invalid, ever. */
  readonly ignored: number;
}

interface Subscriber<E extends FeedEvent> {
  readonly run: string;
  readonly sink: FeedSubscriber<E>;
  queue: FeedMessage<E>[];
  writable: boolean;
}

interface RunFeed<E extends FeedEvent> {
  readonly history: RunHistory<E>;
  instance: string;
  readonly subscribers: Set<Subscriber<E>>;
}

/**
 * The live side of every run in a process: a bounded history per run, and subscribers that
 * receive each batch of new epochs as it is appended (thinned to `livePoints` per run and
 * batch; every subscriber of a run gets the same array, so a transport can format it once).
 *
 * - `append` never blocks and never throws: each subscriber has a queue of at most
 *   `maxQueue` messages while its transport is full; one that overflows is dropped (its
 *   connection ended), never buffered without bound.
 * - An epoch not above the run's last one is a rewind (a resume from an earlier
 *   checkpoint): the history forgets epochs from there, takes a new identity, and
 *   subscribers get `reset` before the new epochs, so no client shows a point twice.
 *
 * ```
 * append:      [1 2 3]   [4]   [2 3]
 * subscriber:  e1 e2 e3  e4    reset(2) e2 e3
 * ```
 *
 * @example
 * const feed = new EventFeed<EpochEvent>();
 * feed.append(batch); // from the training thread, every ~250 ms
 * const sub = feed.subscribe('demo', { write: (m) => res.write(format(m)), dropped: () => res.destroy() });
 */
export class EventFeed<E extends FeedEvent = FeedEvent> {
  private readonly runFeeds = new Map<string, RunFeed<E>>();
  private readonly options: EventFeedOptions;
  private readonly maxQueue: number;
  private readonly livePoints: number;
  private readonly maxSubscribers: number;
  private readonly newInstance: () => string;
  private subscriberTotal = 0;
  private droppedTotal = 0;
  private ignoredTotal = 0;

  constructor(options: EventFeedOptions = {}) {
    this.options = options;
    this.maxQueue = options.maxQueue ?? 1000;
    this.livePoints = options.livePoints ?? 16;
    this.maxSubscribers = options.maxSubscribers ?? 64;
    this.newInstance = options.newInstance ?? (() => randomBytes(4).toString('hex'));
    for (const [key, value] of [
      ['maxQueue', this.maxQueue],
      ['livePoints', this.livePoints],
      ['maxSubscribers', this.maxSubscribers],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`Invalid ${key}: ${value}`);
    }
    new RunHistory(options); // validates maxPoints and recent now rather than at the first event
  }

  /**
   * Adds a batch of events, of one run or several, each run's in epoch order, and sends
   * each subscriber its run's part as one batch. Events with an empty run name or an epoch
   * that is not a positive integer are ignored and counted.
   */
  append(events: readonly E[]): void {
    const batches = new Map<RunFeed<E>, FeedMessage<E>[]>();
    for (const event of events) {
      if (typeof event.run !== 'string' || event.run === '' || !Number.isInteger(event.epoch) || event.epoch < 1) {
        this.ignoredTotal++;
        continue;
      }
      const feed = this.feedOf(event.run);
      let batch = batches.get(feed);
      if (batch === undefined) batches.set(feed, (batch = []));
      const last = feed.history.lastEpoch;
      if (last !== undefined && event.epoch <= last) {
        feed.history.rewindTo(event.epoch);
        feed.instance = this.newInstance();
        batch.push({ type: 'reset', epoch: event.epoch, instance: feed.instance });
      }
      feed.history.push(event);
      batch.push({ type: 'epoch', event, instance: feed.instance });
    }
    for (const [feed, batch] of batches) {
      if (feed.subscribers.size === 0) continue;
      const live = thinBatch(batch, this.livePoints);
      for (const sub of [...feed.subscribers]) this.deliver(sub, live);
    }
  }

  /** Names of the runs the feed has seen, in order of first appearance. */
  runs(): string[] {
    return [...this.runFeeds.keys()];
  }

  /** Epoch of `run`'s newest event, if any. */
  lastEpoch(run: string): number | undefined {
    return this.runFeeds.get(run)?.history.lastEpoch;
  }

  /** The current identity of `run`'s history, if the feed has seen the run. */
  instance(run: string): string | undefined {
    return this.runFeeds.get(run)?.instance;
  }

  /** `run`'s kept events with epoch above `since`, in epoch order; at most `maxPoints`. */
  history(run: string, since = 0): E[] {
    return this.runFeeds.get(run)?.history.points(since) ?? [];
  }

  /**
   * Starts sending `run`'s messages to `sink`: first, synchronously, the replay (a `reset`
   * when `from.instance` is stale, then the kept epochs after `from.since`), then every new
   * batch. Returns `undefined` when `maxSubscribers` are already subscribed. A run the feed
   * has not seen yet is fine: its epochs arrive as they come.
   */
  subscribe(run: string, sink: FeedSubscriber<E>, from: SubscribeFrom = {}): FeedSubscription | undefined {
    if (this.full) return undefined;
    const feed = this.feedOf(run);
    const sub: Subscriber<E> = { run, sink, queue: [], writable: true };
    feed.subscribers.add(sub);
    this.subscriberTotal++;
    const stale = from.instance !== undefined && from.instance !== feed.instance;
    const since = stale ? 0 : Math.max(0, from.since ?? 0);
    const replay: FeedMessage<E>[] = stale ? [{ type: 'reset', epoch: 1, instance: feed.instance }] : [];
    for (const event of feed.history.points(since)) replay.push({ type: 'epoch', event, instance: feed.instance });
    if (replay.length > 0) this.deliver(sub, replay);
    return {
      instance: feed.instance,
      drained: () => {
        if (!feed.subscribers.has(sub)) return;
        sub.writable = true;
        const queued = sub.queue;
        sub.queue = [];
        if (queued.length > 0) this.deliver(sub, queued);
      },
      close: () => this.remove(feed, sub),
    };
  }

  /** Forgets `run`: its history goes and its subscribers are closed without notice. */
  forget(run: string): void {
    const feed = this.runFeeds.get(run);
    if (feed === undefined) return;
    for (const sub of [...feed.subscribers]) this.remove(feed, sub);
    this.runFeeds.delete(run);
  }

  /** Whether {@link subscribe} would refuse a subscriber now. */
  get full(): boolean {
    return this.subscriberTotal >= this.maxSubscribers;
  }

  stats(): FeedStats {
    return {
      runs: this.runFeeds.size,
      subscribers: this.subscriberTotal,
      dropped: this.droppedTotal,
      ignored: this.ignoredTotal,
    };
  }

  private feedOf(run: string): RunFeed<E> {
    let feed = this.runFeeds.get(run);
    if (feed === undefined) {
      feed = { history: new RunHistory<E>(this.options), instance: this.newInstance(), subscribers: new Set() };
      this.runFeeds.set(run, feed);
    }
    return feed;
  }

  private deliver(sub: Subscriber<E>, messages: readonly FeedMessage<E>[]): void {
    if (!sub.writable) {
      sub.queue.push(...messages);
      if (sub.queue.length > this.maxQueue) this.drop(sub, 'slow');
      return;
    }
    try {
      sub.writable = sub.sink.write(messages);
    } catch {
      this.drop(sub, 'failed');
    }
  }

  private drop(sub: Subscriber<E>, reason: DropReason): void {
    const feed = this.runFeeds.get(sub.run);
    if (feed === undefined || !this.remove(feed, sub)) return;
    this.droppedTotal++;
    try {
      sub.sink.dropped(reason);
      this.options.onDrop?.(sub.run, reason);
    } catch {
      // The subscriber is gone either way; a failure here must not reach the appender.
    }
  }

  private remove(feed: RunFeed<E>, sub: Subscriber<E>): boolean {
    if (!feed.subscribers.delete(sub)) return false;
    this.subscriberTotal--;
    sub.queue = [];
    return true;
  }
}
