import { describe, expect, it } from 'vitest';
import { EMPTY_BAND_STATISTICS, reduceBandStatistics } from '../../src/control/band-statistics.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { event } from './events.js';

const reduce = (events: EpochEvent[]) => events.reduce(reduceBandStatistics, EMPTY_BAND_STATISTICS);

describe('reduceBandStatistics', () => {
  it('is empty before any event', () => {
    expect(reduce([])).toMatchObject({
      epochs: 0,
      firstInBandEpoch: null,
      inBandFraction: null,
      bandIAE: 0,
      sigmaReversals: 0,
    });
  });

  it('computes every statistic exactly on a hand-built run', () => {
    const s = reduce([
      event(1, 0.6, 0.01, 0.6), // above by 0.2
      event(2, 0.45, 0.01, 0.5), // above by 0.05
      event(3, 0.38, 0.02, 0.41), // first raw entry; smoothed still out
      event(4, 0.25, 0.05, 0.33), // below by 0.05; smoothed in
      event(5, 0.35, 0.04, 0.34), // in, in
      event(6, 0.42, 0.04, 0.38), // above by 0.02; smoothed in
      event(7, 0.33, 0.06, 0.355), // in, in
    ]);
    expect(s.epochs).toBe(7);
    expect(s.firstInBandEpoch).toBe(3);
    expect(s.epochsSinceFirstInBand).toBe(5);
    expect(s.inBandFraction).toBeCloseTo(3 / 5, 12);
    expect(s.inBandFractionSmoothed).toBeCloseTo(4 / 5, 12);
    expect(s.bandIAE).toBeCloseTo(0.2 + 0.05 + 0.05 + 0.02, 12);
    expect(s.sigmaTotalVariation).toBeCloseTo(0.01 + 0.03 + 0.01 + 0 + 0.02, 12);
    // Δσ: 0, +, +, −, 0, + → reversals at + → − and − → + (zero steps ignored)
    expect(s.sigmaReversals).toBe(2);
  });

  it('judges each event against its own band', () => {
    const s = reduce([
      event(1, 0.35, 0.1),
      event(2, 0.35, 0.1, 0.35, { lo: 0.1, hi: 0.2 }),
      event(3, 0.15, 0.1, 0.15, { lo: 0.1, hi: 0.2 }),
    ]);
    expect(s.inBandFraction).toBeCloseTo(2 / 3, 12);
    expect(s.bandIAE).toBeCloseTo(0.15, 12);
  });

  it('uses the epoch numbers of the events (runs may resume)', () => {
    expect(reduce([event(101, 0.5, 0.1), event(102, 0.35, 0.1)]).firstInBandEpoch).toBe(102);
  });

  it('counts an epoch flagged nonFinite as non-finite even when its loss is a huge finite number (issue 11, item 3)', () => {
    const s = reduce([event(1, 0.5, 0.1), { ...event(2, 6.65e37, 0.1), nonFinite: true }]);
    expect(s.nonFiniteEpochs).toBe(1);
    expect(s.bandIAE).toBeCloseTo(0.1, 12);
  });

  it('never enters on a non-finite loss, and keeps IAE finite', () => {
    const s = reduce([event(1, NaN, 0.1), event(2, Infinity, 0.1), event(3, 0.5, 0.1)]);
    expect(s.firstInBandEpoch).toBeNull();
    expect(s.nonFiniteEpochs).toBe(2);
    expect(s.bandIAE).toBeCloseTo(0.1, 12);
  });

  it('is O(1) per event: a 100,000-epoch run folds quickly into plain JSON', () => {
    let s = EMPTY_BAND_STATISTICS;
    for (let k = 1; k <= 100_000; k++)
      s = reduceBandStatistics(s, event(k, 0.35 + 0.06 * Math.sin(k), 0.5 + 0.01 * Math.sin(k / 3)));
    expect(s.epochs).toBe(100_000);
    expect(s.inBandFraction!).toBeGreaterThan(0.5);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
