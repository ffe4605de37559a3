import { describe, expect, it } from 'vitest';
import { createSeries, type SeriesEvent } from '../../src/page/series.js';

const ev = (epoch: number, loss: number | null = 1 / epoch, extra: Partial<SeriesEvent> = {}): SeriesEvent => ({
  epoch,
  loss,
  smoothedLoss: loss,
  band: { lo: 0.3, hi: 0.4 },
  sigma: 0.1,
  draws: 2,
  ...extra,
});

describe('createSeries (the page’s chart data)', () => {
  it('lays out uPlot columns: epoch, loss, smoothed, lo, hi, σ, K', () => {
    const s = createSeries();
    s.add(ev(1, 0.9));
    s.add(ev(2, null, { sigma: 0, smoothedLoss: 0.8, band: { lo: 0.2, hi: 0.25 }, draws: 3 }));
    expect(s.data()).toEqual([
      [1, 2],
      [0.9, null],
      [0.9, 0.8],
      [0.3, 0.2],
      [0.4, 0.25],
      [0.1, null], // σ 0 has no place on a log axis
      [2, 3],
    ]);
  });

  it('drops an epoch it already has: a replay after a reconnect draws nothing twice', () => {
    const s = createSeries();
    for (let e = 1; e <= 5; e++) expect(s.add(ev(e))).toBe(true);
    for (let e = 3; e <= 5; e++) expect(s.add(ev(e, 99))).toBe(false);
    expect(s.add(ev(6))).toBe(true);
    expect(s.data()[0]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.data()[1]?.includes(99)).toBe(false);
  });

  it('takes re-trained epochs after a reset, replacing the void ones', () => {
    const s = createSeries();
    for (let e = 1; e <= 10; e++) s.add(ev(e));
    s.reset(7);
    expect(s.lastEpoch).toBe(6);
    for (let e = 7; e <= 8; e++) s.add(ev(e, 5));
    expect(s.data()[0]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.data()[1]?.slice(-2)).toEqual([5, 5]);
    s.reset(1);
    expect([s.length, s.lastEpoch]).toEqual([0, 0]);
  });

  it('stays bounded on a long run, keeping the newest half exact and spikes in the thinned half', () => {
    const s = createSeries({ maxPoints: 1000 });
    for (let e = 1; e <= 20_000; e++) s.add(ev(e, e === 777 ? 50 : 0.5));
    expect(s.length).toBeLessThanOrEqual(1000);
    const [epochs, losses] = s.data() as [number[], number[]];
    expect(epochs.at(-1)).toBe(20_000);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
    expect(losses[epochs.indexOf(777)]).toBe(50);
  });

  it('keeps the first epoch through thinning, so the chart starts where the run did', () => {
    const s = createSeries({ maxPoints: 100 });
    for (let e = 1; e <= 5000; e++) s.add(ev(e, e === 1 ? 0.1 : 0.5 + (e % 2)));
    const epochs = s.data()[0] as number[];
    expect(s.length).toBeLessThanOrEqual(101);
    expect(epochs[0]).toBe(1);
    expect(epochs.filter((e) => e === 1)).toHaveLength(1);
  });

  it('returns copies, so the chart holds what it was given', () => {
    const s = createSeries();
    s.add(ev(1));
    const before = s.data();
    s.add(ev(2));
    expect(before[0]).toEqual([1]);
  });
});
