import { lossRank, type FeedEvent } from './feed-event.js';

/** A run of consecutive events, kept as its lowest- and highest-loss events. */
interface Bucket<E> {
  count: number;
  lastEpoch: number;
  low: E;
  high: E;
}

/**
 * The long tail of a run's history in bounded memory. Events arrive in epoch order and fall
 * into buckets of `span` consecutive events; each bucket keeps only its lowest-loss and
 * highest-loss events (a non-finite loss counts as the highest), so dips and spikes survive
 * decimation, as in `report.svg`. When there are more than `maxBuckets` buckets, neighbours
 * are merged in pairs and `span` doubles: any number of events fits in at most
 * `2 × maxBuckets + 1` points, spread evenly over the run. The `+ 1` is the very first event,
 * always kept, so a chart of the points starts where the run started.
 *
 * The kept points are real events, so a replay sends them as they were.
 *
 * ```
 * span 1:  [3] [1] [4] [1] [5]     maxBuckets 4 → merge pairs
 * span 2:  [3 1] [4 1] [5]         points: 3 1 4 1 5 → 3 1 (4,1) 5 …
 * ```
 *
 * @example
 * const tail = new DecimatedHistory<FeedEvent>(500);
 * for (const e of events) tail.push(e);
 * tail.points().length; // ≤ 1001, the first event first
 */
export class DecimatedHistory<E extends FeedEvent> {
  readonly maxBuckets: number;
  private buckets: Bucket<E>[] = [];
  private span = 1;
  private first: E | undefined;

  constructor(maxBuckets: number) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 1) throw new RangeError(`Invalid maxBuckets: ${maxBuckets}`);
    this.maxBuckets = maxBuckets;
  }

  /** Events per full bucket now. */
  get bucketSpan(): number {
    return this.span;
  }

  /** Epoch of the newest event pushed (and not truncated), if any. */
  get lastEpoch(): number | undefined {
    return this.buckets.at(-1)?.lastEpoch ?? this.first?.epoch;
  }

  /** Adds the next event; its epoch must be above every epoch already held. */
  push(event: E): void {
    this.first ??= event;
    const last = this.buckets.at(-1);
    if (last !== undefined && last.count < this.span) {
      last.count++;
      last.lastEpoch = event.epoch;
      if (lossRank(event) < lossRank(last.low)) last.low = event;
      if (lossRank(event) >= lossRank(last.high)) last.high = event;
      return;
    }
    this.buckets.push({ count: 1, lastEpoch: event.epoch, low: event, high: event });
    if (this.buckets.length > this.maxBuckets) this.compact();
  }

  /** The kept events with epoch above `since` (default: all), in epoch order. */
  points(since = 0): E[] {
    const out: E[] = [];
    const head = this.buckets[0];
    const { first } = this;
    if (first !== undefined && first.epoch > since && first !== head?.low && first !== head?.high) out.push(first);
    for (const b of this.buckets) {
      const [first, second] = b.low.epoch <= b.high.epoch ? [b.low, b.high] : [b.high, b.low];
      if (first.epoch > since) out.push(first);
      if (second !== first && second.epoch > since) out.push(second);
    }
    return out;
  }

  /**
   * Forgets every event with epoch ≥ `epoch`. A bucket cut in two keeps the kept events
   * below `epoch` (its remaining extremes are then approximate), or goes when none is left.
   */
  truncateFrom(epoch: number): void {
    if (this.first !== undefined && this.first.epoch >= epoch) this.first = undefined;
    while (this.buckets.length > 0) {
      const last = this.buckets.at(-1) as Bucket<E>;
      if (last.lastEpoch < epoch) return;
      const low = last.low.epoch < epoch ? last.low : undefined;
      const high = last.high.epoch < epoch ? last.high : undefined;
      const survivor = low ?? high;
      if (survivor === undefined) {
        this.buckets.pop();
        continue;
      }
      last.low = low ?? survivor;
      last.high = high ?? survivor;
      last.lastEpoch = Math.max(last.low.epoch, last.high.epoch);
      // The bucket is no longer contiguous with what comes next: close it.
      last.count = this.span;
      return;
    }
  }

  private compact(): void {
    const merged: Bucket<E>[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const a = this.buckets[i] as Bucket<E>;
      const b = this.buckets[i + 1];
      if (b === undefined) {
        merged.push(a);
        continue;
      }
      merged.push({
        count: a.count + b.count,
        lastEpoch: b.lastEpoch,
        low: lossRank(b.low) < lossRank(a.low) ? b.low : a.low,
        high: lossRank(b.high) >= lossRank(a.high) ? b.high : a.high,
      });
    }
    this.buckets = merged;
    this.span *= 2;
  }
}
