import { describe, expect, it } from 'vitest';
import { downsampleEvents } from '../../src/report/downsample.js';
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
