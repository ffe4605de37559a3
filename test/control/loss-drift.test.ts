import { describe, expect, it } from 'vitest';
import { aimFor, DRIFT_EMPTY, jitterOf, rebaseDrift, stepDrift, trustedDrift } from '../../src/control/loss-drift.js';

const u = Math.log(0.8);

describe('stepDrift', () => {
  it('measures the fall of the loss at a fixed σ, smoothed', () => {
    let s = stepDrift(DRIFT_EMPTY, { u, loss: 0.4 });
    expect(s.drift).toBeNull();
    s = stepDrift(s, { u, loss: 0.34 });
    expect(s.drift).toBeCloseTo(-0.06);
    s = stepDrift(s, { u, loss: 0.32 });
    expect(s.drift).toBeCloseTo(-0.04); // EMA at rate 0.5 of −0.06 and −0.02
  });

  it('discounts what a move of σ explains, once the gain is known', () => {
    let s = rebaseDrift(stepDrift(DRIFT_EMPTY, { u, loss: 0.3 }), { u, loss: 0.3, gain: 0.2 });
    s = stepDrift(s, { u: u + 0.5, loss: 0.37 }); // σ's move adds 0.1, learning took 0.03
    expect(s.drift).toBeCloseTo(-0.03);
  });

  it('skips large σ moves while the gain is unknown, and ignores non-finite epochs', () => {
    let s = stepDrift(DRIFT_EMPTY, { u, loss: 0.3 });
    s = stepDrift(s, { u: u + 1, loss: 0.6 });
    expect(s.drift).toBeNull();
    expect(stepDrift(s, { u, loss: Number.NaN })).toBe(s);
  });

  it('after a search, the next epoch at the σ it found is measured from the point it measured', () => {
    let s = stepDrift(DRIFT_EMPTY, { u: Math.log(0.1), loss: 0.2 });
    s = rebaseDrift(s, { u, loss: 0.33, gain: 0.15 });
    s = stepDrift(s, { u, loss: 0.28 });
    expect(s.drift).toBeCloseTo(-0.05);
    expect(s.gain).toBe(0.15);
  });
});

describe('trustedDrift', () => {
  it('keeps a steady fall, and takes jitter that returns as often as it goes for no drift', () => {
    let steady = DRIFT_EMPTY;
    for (const loss of [0.4, 0.35, 0.3, 0.25]) steady = stepDrift(steady, { u, loss });
    expect(trustedDrift(steady)).toBeCloseTo(-0.05);
    let jitter = DRIFT_EMPTY;
    for (const loss of [0.3, 0.27, 0.3, 0.27, 0.3, 0.27, 0.3, 0.27]) jitter = stepDrift(jitter, { u, loss });
    expect(Math.abs(jitter.drift ?? 0)).toBeGreaterThan(0.005); // the raw estimate follows the last swing
    expect(trustedDrift(jitter)).toBe(0);
    expect(trustedDrift(DRIFT_EMPTY)).toBeNull();
  });
});

describe('jitterOf', () => {
  it('is the part of the last loss its level does not explain, kept across a search on the same weights', () => {
    let s = DRIFT_EMPTY;
    for (const loss of [0.3, 0.3, 0.3, 0.3]) s = stepDrift(s, { u, loss });
    expect(jitterOf(s)).toBeCloseTo(0);
    s = stepDrift(s, { u, loss: 0.24 }); // a chance low
    expect(jitterOf(s)).toBeLessThan(-0.02);
    const before = jitterOf(s);
    s = rebaseDrift(s, { u: u + 0.2, loss: 0.31, gain: 0.35 });
    expect(jitterOf(s)).toBeCloseTo(before);
    expect(s.level).toBeCloseTo(0.31 - before);
  });
});

describe('aimFor', () => {
  const band = { lo: 0.25, hi: 0.35 };
  it('aims above the middle by the fall the next epoch brings, and stays inside the band', () => {
    expect(aimFor(band, null)).toBeCloseTo(0.3);
    expect(aimFor(band, -0.02)).toBeCloseTo(0.32);
    expect(aimFor(band, -0.2)).toBeCloseTo(0.33);
    expect(aimFor(band, 0.2)).toBeCloseTo(0.27);
  });
});
