import { DecimatedHistory } from './decimated-history.js';
import type { FeedEvent } from './feed-event.js';
import { RingBuffer } from './ring-buffer.js';

/** Options of {@link RunHistory}. */
export interface RunHistoryOptions {
  /** Most points kept per run, however long it is. Defaults to 2000. */
  readonly maxPoints?: number;
  /** Newest events kept at full resolution (part of `maxPoints`). Defaults to half of `maxPoints`. */
  readonly recent?: number;
}

/**
 * One run's history in bounded memory: the newest `recent` events exactly, in a ring, and
 * everything older decimated (lowest and highest loss per bucket, see
 * {@link DecimatedHistory}), so the whole never exceeds `maxPoints` points and the first
 * and the latest events are always there.
 *
 * @example
 * const h = new RunHistory<FeedEvent>({ maxPoints: 2000 });
 * for (const e of events100k) h.push(e);
 * h.points().length; // ≤ 2000, ends with the last event
 */
export class RunHistory<E extends FeedEvent> {
  private readonly recent: RingBuffer<E>;
  private readonly older: DecimatedHistory<E>;
  private last: number | undefined;

  constructor(options: RunHistoryOptions = {}) {
    const maxPoints = options.maxPoints ?? 2000;
    const recent = options.recent ?? Math.floor(maxPoints / 2);
    if (!Number.isInteger(maxPoints) || maxPoints < 5)
      throw new RangeError(`Invalid maxPoints: ${maxPoints} (expected an integer ≥ 5)`);
    if (!Number.isInteger(recent) || recent < 1 || recent > maxPoints - 3) {
      throw new RangeError(`Invalid recent: ${recent} (expected an integer from 1 to maxPoints - 3)`);
    }
    this.recent = new RingBuffer<E>(recent);
    // Two points per bucket, plus the run's first event, which the tail always keeps.
    this.older = new DecimatedHistory<E>(Math.floor((maxPoints - recent - 1) / 2));
  }

  /** Epoch of the newest event, if any. */
  get lastEpoch(): number | undefined {
    return this.last;
  }

  /** Adds an event whose epoch is above {@link lastEpoch}; the caller rewinds first otherwise. */
  push(event: E): void {
    const evicted = this.recent.push(event);
    if (evicted !== undefined) this.older.push(evicted);
    this.last = event.epoch;
  }

  /** Forgets every event with epoch ≥ `epoch`. */
  rewindTo(epoch: number): void {
    this.recent.popWhile((e) => e.epoch >= epoch);
    if (this.recent.length === 0) this.older.truncateFrom(epoch);
    this.last = this.recent.at(-1)?.epoch ?? this.older.lastEpoch;
  }

  /** The kept events with epoch above `since` (default: all), in epoch order. */
  points(since = 0): E[] {
    const recent = this.recent.toArray().filter((e) => e.epoch > since);
    const first = this.recent.at(0);
    if (first !== undefined && first.epoch <= since) return recent;
    return [...this.older.points(since), ...recent];
  }
}
