import { describe, expect, it } from 'vitest';
import { estimateEta } from '../../src/sweep/estimate-eta.js';

describe('estimateEta', () => {
  it('is unknown until a run has ended', () => {
    expect(estimateEta({ endedSeconds: [], pending: 6, running: [0.5, 0.5], concurrency: 2 })).toBeUndefined();
  });

  it('spreads the work left (pending plus the undone share of running runs) at the mean duration over the busy lanes', () => {
    // mean 11 s; left = 4 + 0.5 + 0.75 = 5.25 runs; 2 lanes
    expect(estimateEta({ endedSeconds: [10, 12], pending: 4, running: [0.5, 0.25], concurrency: 2 })).toBeCloseTo(
      (11 * 5.25) / 2,
      9,
    );
  });

  it('uses only the lanes that still have work', () => {
    // One run left at half way, 4 lanes: one lane is busy, so 5 s, not 1.25 s.
    expect(estimateEta({ endedSeconds: [10], pending: 0, running: [0.5], concurrency: 4 })).toBeCloseTo(5, 9);
    expect(estimateEta({ endedSeconds: [10], pending: 0, running: [], concurrency: 2 })).toBe(0);
  });

  it('clamps shares outside 0–1 and is unknown for a run without an epoch limit', () => {
    expect(estimateEta({ endedSeconds: [8], pending: 0, running: [1.5, -1], concurrency: 2 })).toBeCloseTo(4, 9);
    expect(estimateEta({ endedSeconds: [8], pending: 2, running: [undefined], concurrency: 2 })).toBeUndefined();
  });
});
