import { describe, expect, it } from 'vitest';
import { DecimatedHistory } from '../../src/live/decimated-history.js';
import type { FeedEvent } from '../../src/live/feed-event.js';

const ev = (epoch: number, loss: number | null): FeedEvent => ({ run: 'r', epoch, loss });

describe('DecimatedHistory', () => {
  it('keeps every event while there are no more than maxBuckets', () => {
    const tail = new DecimatedHistory<FeedEvent>(8);
    for (let e = 1; e <= 8; e++) tail.push(ev(e, e));
    expect(tail.points().map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(tail.bucketSpan).toBe(1);
  });

  it('stays within 2 × maxBuckets + 1 points for any length, spread over the whole run from its first epoch', () => {
    const tail = new DecimatedHistory<FeedEvent>(100);
    for (let e = 1; e <= 100_000; e++) tail.push(ev(e, Math.sin(e / 50)));
    const points = tail.points();
    expect(points.length).toBeLessThanOrEqual(201);
    expect(points.length).toBeGreaterThan(100);
    expect(points[0]?.epoch).toBe(1); // a chart of the points starts where the run did
    expect(points[1]?.epoch).toBeLessThanOrEqual(1024);
    expect(points.at(-1)?.epoch).toBeGreaterThan(99_000);
    const epochs = points.map((p) => p.epoch);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
    expect(new Set(epochs).size).toBe(epochs.length);
  });

  it('keeps a one-epoch spike, a one-epoch dip and a divergence through any decimation', () => {
    const tail = new DecimatedHistory<FeedEvent>(50);
    for (let e = 1; e <= 50_000; e++) {
      const loss = e === 12_345 ? 99 : e === 23_456 ? 0.001 : e === 34_567 ? null : e === 40_000 ? Number.NaN : 0.5;
      tail.push(ev(e, loss));
    }
    const kept = new Map(tail.points().map((p) => [p.epoch, p.loss]));
    expect(kept.get(12_345)).toBe(99);
    expect(kept.get(23_456)).toBe(0.001);
    expect(kept.has(34_567)).toBe(true);
    expect(kept.has(40_000)).toBe(true);
  });

  it('filters by since and forgets epochs from a truncation point', () => {
    const tail = new DecimatedHistory<FeedEvent>(4);
    for (let e = 1; e <= 16; e++) tail.push(ev(e, e % 3));
    expect(tail.points(10).every((p) => p.epoch > 10)).toBe(true);
    tail.truncateFrom(9);
    expect(tail.points().every((p) => p.epoch < 9)).toBe(true);
    expect(tail.lastEpoch).toBeLessThan(9);
    for (let e = 9; e <= 12; e++) tail.push(ev(e, 7));
    const epochs = tail.points().map((p) => p.epoch);
    expect(epochs).toEqual([...new Set(epochs)].sort((a, b) => a - b));
    expect(epochs.at(-1)).toBeGreaterThanOrEqual(9);
    tail.truncateFrom(1);
    expect(tail.points()).toEqual([]);
    expect(tail.lastEpoch).toBeUndefined();
  });

  it('keeps the first event once, whether or not it is a bucket extreme, and forgets it in a truncation before it', () => {
    const tail = new DecimatedHistory<FeedEvent>(2);
    for (let e = 1; e <= 64; e++) tail.push(ev(e, e === 1 ? 0.5 : e % 5));
    expect(tail.points().map((p) => p.epoch)[0]).toBe(1);
    expect(tail.points().filter((p) => p.epoch === 1)).toHaveLength(1);
    expect(tail.points(1).some((p) => p.epoch === 1)).toBe(false);
    const low = new DecimatedHistory<FeedEvent>(2);
    for (let e = 1; e <= 64; e++) low.push(ev(e, e === 1 ? -1 : e % 5)); // the first is the lowest
    expect(low.points().filter((p) => p.epoch === 1)).toHaveLength(1);
    tail.truncateFrom(1);
    expect(tail.points()).toEqual([]);
    expect(tail.lastEpoch).toBeUndefined();
    tail.push(ev(1, 3));
    expect(tail.points()).toEqual([ev(1, 3)]);
  });
});
