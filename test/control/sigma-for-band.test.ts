import { describe, expect, it } from 'vitest';
import { initLoop, loopStep, restartAt } from '../../src/control/closed-loop.js';
import { sigmaForBand } from '../../src/control/sigma-for-band.js';

const band = { lo: 0.3, hi: 0.4 };
const limits = { min: 0.1, max: 10 };

describe('sigmaForBand', () => {
  it('finds the σ where a rising loss meets the band middle, within (max/min)^(1/256)', () => {
    const sigma = sigmaForBand((s) => 0.1 + s * s, band, limits);
    expect(Math.abs(Math.log(sigma / Math.sqrt(0.25)))).toBeLessThan(Math.log(100) / 256);
  });

  it('gives the ceiling when even the ceiling stays below the band, and the floor when the floor is above it', () => {
    expect(sigmaForBand(() => 0.1, band, limits)).toBe(10);
    expect(sigmaForBand(() => 1, band, limits)).toBeCloseTo(0.1, 2);
  });

  it('counts a non-finite loss as above the band, and costs iterations + 1 evaluations', () => {
    let calls = 0;
    const sigma = sigmaForBand(
      (s) => {
        calls += 1;
        return s > 2 ? Number.NaN : 0.2 + s / 10;
      },
      band,
      limits,
    );
    expect(sigma).toBeGreaterThan(1.3);
    expect(sigma).toBeLessThan(1.6); // 0.2 + σ/10 = 0.35 at σ = 1.5
    expect(calls).toBe(9);
  });
});

describe('restartAt', () => {
  const measurement = { loss: 0.1, valLoss: 0.1, valAccuracy: 1, durationMs: 1, nonFinite: false };

  it('applies σ next epoch, clamped to the limits, with an empty filter', () => {
    const after = loopStep(initLoop({ band }), measurement).state;
    expect(after.filter.value).toBeCloseTo(0.1);
    const restarted = restartAt(after, 0.7);
    expect(restarted.actuation.sigma).toBe(0.7);
    expect(restarted.filter.value).toBeNull();
    expect(restartAt(after, 1e6).actuation.sigma).toBe(10);
    expect(() => restartAt(after, Number.NaN)).toThrow(RangeError);
  });

  it('holds σ from there: the controller starts as if settled (no kick while the loss is in band)', () => {
    const restarted = restartAt(loopStep(initLoop({ band }), measurement).state, 0.7);
    const next = loopStep(restarted, { ...measurement, loss: 0.35, valLoss: 0.35 });
    expect(next.actuation.sigma).toBeCloseTo(0.7, 1);
  });

  it('leaves a controller that does not steer σ as it is', () => {
    const fixed = initLoop({ band, controller: { type: 'fixed', sigma: 0.2 } });
    expect(restartAt(fixed, 0.7)).toBe(fixed);
  });
});
