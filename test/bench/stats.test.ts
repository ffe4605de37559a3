import { describe, expect, it } from 'vitest';
import { hodgesLehmannRatio } from '../../bench/lib/stats.js';

describe('hodgesLehmannRatio (bench section 10)', () => {
  const quiet = [1410, 1290, 1520, 1380, 1460, 1330, 1490, 1250, 1400, 1440];

  it('is the ratio itself when one sample is the other scaled', () => {
    const loaded = quiet.map((x) => x * 0.9);
    const r = hodgesLehmannRatio(loaded, quiet);
    expect(r.estimate).toBeCloseTo(0.9, 12);
    expect(r.lo).toBeLessThanOrEqual(r.estimate);
    expect(r.hi).toBeGreaterThanOrEqual(r.estimate);
  });

  it('is 1 for the same sample, with an interval around it', () => {
    const r = hodgesLehmannRatio(quiet, quiet);
    expect(r.estimate).toBeCloseTo(1, 12);
    expect(r.lo).toBeLessThan(1);
    expect(r.hi).toBeGreaterThan(1);
  });

  it('is barely moved by one very slow window, where the ratio of means is', () => {
    const loaded = [...quiet.slice(0, -1), 300];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const r = hodgesLehmannRatio(loaded, quiet);
    expect(1 - mean(loaded) / mean(quiet)).toBeGreaterThan(0.07);
    expect(Math.abs(1 - r.estimate)).toBeLessThan(0.03);
  });

  it('narrows its interval as the samples grow, and repeats it from the same data', () => {
    const more = Array.from({ length: 8 }, () => quiet).flat();
    const few = hodgesLehmannRatio(quiet, quiet);
    const many = hodgesLehmannRatio(more, more, 0.95, 500);
    expect(many.hi - many.lo).toBeLessThan((few.hi - few.lo) / 2);
    expect(hodgesLehmannRatio(quiet, quiet)).toEqual(few);
  });
});
