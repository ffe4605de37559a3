import { describe, expect, it } from 'vitest';
import { Downsampler, downsampleEvents } from '../../src/report/downsample.js';
import { syntheticRun } from './synthetic-run.js';

describe('downsampleEvents', () => {
  it('keeps every epoch of a short run', () => {
    const rows = downsampleEvents(syntheticRun(50), 2000);
    expect(rows).toHaveLength(50);
    expect(rows[3]).toMatchObject({ epoch: 4, lo: 0.3, hi: 0.4 });
    expect(rows[3]?.lossMin).toBe(rows[3]?.lossMax);
  });

  it('bounds a 100k-epoch run to maxPoints rows and keeps loss extremes', () => {
    const events = syntheticRun(100_000);
    events[54_321] = { ...(events[54_321] as (typeof events)[number]), loss: 9 };
    const rows = downsampleEvents(events, 2000);
    expect(rows.length).toBeLessThanOrEqual(2000);
    expect(rows.length).toBeGreaterThan(1900);
    expect(Math.max(...rows.map((r) => r.lossMax ?? 0))).toBe(9);
    expect(rows[0]?.epoch).toBe(1);
    expect(rows.at(-1)?.hi).toBe(0.45);
  });

  it('drops non-finite values to null instead of poisoning a bucket', () => {
    const events = syntheticRun(4).map((e, i) => (i === 1 ? { ...e, loss: NaN, sigma: NaN } : e));
    const [first, second] = downsampleEvents(events, 2);
    expect(first?.loss).toBeCloseTo((events[0] as { loss: number }).loss);
    expect(first?.sigma).toBeNull();
    expect(second?.lossMin).not.toBeNull();
    expect(downsampleEvents([{ ...(events[1] as (typeof events)[number]) }], 5)[0]?.loss).toBeNull();
  });

  it('rejects a bad maxPoints', () => {
    expect(() => downsampleEvents([], 0)).toThrow('maxPoints must be a positive integer, got 0');
  });
});

describe('Downsampler (streaming)', () => {
  it('cuts a stream into equal buckets of consecutive epochs', () => {
    const d = new Downsampler(3);
    for (const e of syntheticRun(10)) d.add(e);
    expect(d.rows().map((r) => r.epoch)).toEqual([1, 5, 9]);
    expect(d.events).toBe(10);
  });

  it('keeps at most maxPoints rows for a stream of a million events, with its extremes and last state', () => {
    const d = new Downsampler(500);
    let worst = 0;
    for (let epoch = 1; epoch <= 1_000_000; epoch++) {
      const loss = epoch === 777_777 ? 42 : epoch === 3 ? -1 : 0.35;
      d.add({ epoch, loss, smoothedLoss: 0.35, sigma: epoch, band: { lo: 0.3, hi: 0.4 } });
      if (epoch % 100_000 === 0) worst = Math.max(worst, d.rows().length);
    }
    const rows = d.rows();
    expect(worst).toBeLessThanOrEqual(500);
    expect(rows.length).toBeGreaterThan(450);
    expect(rows[0]?.epoch).toBe(1);
    expect(Math.max(...rows.map((r) => r.lossMax ?? 0))).toBe(42);
    expect(Math.min(...rows.map((r) => r.lossMin ?? 0))).toBe(-1);
    expect(rows.at(-1)?.sigma).toBe(1_000_000);
    expect(rows.reduce((n, r, i) => n + ((rows[i + 1]?.epoch ?? 1_000_001) - r.epoch), 0)).toBe(1_000_000);
  });
});
