import { describe, expect, it } from 'vitest';
import type { FeedEvent } from '../../src/live/feed-event.js';
import { RunHistory } from '../../src/live/run-history.js';

const ev = (epoch: number, loss: number | null = 1 / epoch): FeedEvent => ({ run: 'r', epoch, loss });

describe('RunHistory', () => {
  it('holds at most maxPoints for a long run, the newest `recent` exactly, the last always', () => {
    const h = new RunHistory<FeedEvent>({ maxPoints: 2000, recent: 1000 });
    for (let e = 1; e <= 200_000; e++) h.push(ev(e));
    const points = h.points();
    expect(points.length).toBeLessThanOrEqual(2000);
    expect(points.slice(-1000).map((p) => p.epoch)).toEqual(Array.from({ length: 1000 }, (_, i) => 199_001 + i));
    expect(points[0]?.epoch).toBe(1); // the first bucket's highest loss is epoch 1
    expect(h.lastEpoch).toBe(200_000);
  });

  it('starts at the first epoch even when it is no extreme of its bucket, within maxPoints', () => {
    const h = new RunHistory<FeedEvent>({ maxPoints: 9 });
    for (let e = 1; e <= 1000; e++) h.push(ev(e, e === 1 ? 0.5 : e % 7));
    const points = h.points();
    expect(points.length).toBeLessThanOrEqual(9);
    expect(points[0]?.epoch).toBe(1);
    expect(points.at(-1)?.epoch).toBe(1000);
  });

  it('replays only what follows since, without the older tail when since is recent', () => {
    const h = new RunHistory<FeedEvent>({ maxPoints: 20, recent: 10 });
    for (let e = 1; e <= 100; e++) h.push(ev(e));
    expect(h.points(95).map((p) => p.epoch)).toEqual([96, 97, 98, 99, 100]);
    expect(h.points(100)).toEqual([]);
    expect(h.points(50).every((p) => p.epoch > 50)).toBe(true);
  });

  it('rewinds within the recent ring and across into the decimated tail', () => {
    const h = new RunHistory<FeedEvent>({ maxPoints: 20, recent: 10 });
    for (let e = 1; e <= 100; e++) h.push(ev(e));
    h.rewindTo(95);
    expect(h.lastEpoch).toBe(94);
    expect(h.points().at(-1)?.epoch).toBe(94);
    h.rewindTo(40);
    expect(h.lastEpoch).toBeLessThan(40);
    expect(h.points().every((p) => p.epoch < 40)).toBe(true);
    for (let e = 40; e <= 45; e++) h.push(ev(e, 5));
    const epochs = h.points().map((p) => p.epoch);
    expect(epochs.at(-1)).toBe(45);
    expect(epochs).toEqual([...new Set(epochs)].sort((a, b) => a - b));
    h.rewindTo(1);
    expect(h.points()).toEqual([]);
    expect(h.lastEpoch).toBeUndefined();
  });

  it('names a bad option', () => {
    expect(() => new RunHistory({ maxPoints: 4 })).toThrow('Invalid maxPoints: 4');
    expect(() => new RunHistory({ maxPoints: 100, recent: 98 })).toThrow('Invalid recent: 98');
    expect(new RunHistory({ maxPoints: 5, recent: 2 }).lastEpoch).toBeUndefined();
  });
});
