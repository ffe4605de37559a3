import { describe, expect, it } from 'vitest';
import { assertBand, bandMid, bandProblem, MAX_BAND_VALUE, MIN_BAND_WIDTH } from '../../src/core/band.js';
import { bandSchema } from '../../src/config/schema.js';
import { initLoop, setBand } from '../../src/control/closed-loop.js';

describe('the one band rule', () => {
  it.each([
    [{ lo: 0.3, hi: 0.4 }, undefined],
    [{ lo: 0, hi: MIN_BAND_WIDTH }, undefined],
    [{ lo: 0.4, hi: 0.3 }, 'lo'],
    [{ lo: 0.3, hi: 0.3 }, 'lo'],
    [{ lo: -0.1, hi: 0.3 }, 'lo'],
    [{ lo: 0, hi: MIN_BAND_WIDTH / 2 }, 'hi'],
    [{ lo: Number.NaN, hi: 1 }, 'lo'],
    [{ lo: 0, hi: Infinity }, 'hi'],
    // Issue 11, item 10: finite but huge edges once made σ NaN for good.
    [{ lo: 1e308, hi: 1.7e308 }, 'lo'],
    [{ lo: 1, hi: MAX_BAND_VALUE * 2 }, 'hi'],
  ])('%j → problem with %s', (band, key) => {
    expect(bandProblem(band)?.key).toBe(key);
    expect(bandSchema.safeParse(band).success).toBe(key === undefined);
    if (key === undefined) expect(assertBand(band)).toEqual(band);
    else expect(() => assertBand(band)).toThrow(new RegExp(`: ${key}: `));
  });

  it('is the rule of the loop as well: a huge band is refused at start and at run time', () => {
    expect(() => initLoop({ band: { lo: 1e308, hi: 1.7e308 } })).toThrow(/Invalid band/);
    const state = initLoop({ band: { lo: 0.3, hi: 0.4 } });
    expect(() => setBand(state, { lo: 1e308, hi: 1.7e308 })).toThrow(/Invalid band/);
  });

  it('keeps the midpoint finite up to the largest accepted edges', () => {
    expect(bandMid({ lo: MAX_BAND_VALUE - 1, hi: MAX_BAND_VALUE })).toBe(MAX_BAND_VALUE - 0.5);
    expect(Number.isFinite(bandMid({ lo: 1e308, hi: 1.7e308 }))).toBe(true);
  });
});
