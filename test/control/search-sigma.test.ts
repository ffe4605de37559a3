import { describe, expect, it } from 'vitest';
import { searchSigma } from '../../src/control/search-sigma.js';

const limits = { min: 0.1, max: 10 };
/** A loss that rises with σ as input noise does: a floor plus a term in σ². */
const loss = (s: number): number => 0.1 + s * s;

describe('searchSigma', () => {
  it('meets the target within the tolerance, at an evaluated point, in fewer evaluations than the bisection', () => {
    let calls = 0;
    const counted = (s: number): number => {
      calls += 1;
      return loss(s);
    };
    const r = searchSigma(counted, 0.35, limits, { tolerance: 0.005 });
    expect(Math.abs(r.loss - 0.35)).toBeLessThanOrEqual(0.005);
    expect(r.loss).toBe(loss(r.sigma));
    expect(r.evaluations).toBe(calls);
    expect(calls).toBeLessThan(9);
  });

  it('from the epoch’s own point and a gain, needs at most 3 evaluations', () => {
    // Slope of 0.1 + σ² in ln σ at σ = 0.5: 2σ² = 0.5.
    const r = searchSigma(loss, 0.35, limits, { start: { sigma: 0.4, loss: loss(0.4) }, gain: 0.5, tolerance: 0.005 });
    expect(Math.abs(r.loss - 0.35)).toBeLessThanOrEqual(0.005);
    expect(r.evaluations).toBeLessThanOrEqual(3);
    // The start point itself, when it already meets the target, costs nothing.
    expect(searchSigma(loss, 0.35, limits, { start: { sigma: 0.5, loss: 0.35 }, tolerance: 0.005 }).evaluations).toBe(
      0,
    );
  });

  it('reports the slope across its final bracket', () => {
    const r = searchSigma(loss, 0.35, limits, { tolerance: 0 });
    expect(r.gain).toBeCloseTo(2 * r.sigma * r.sigma, 1);
  });

  it('gives a limit when the target lies beyond it, and costs at most maxEvaluations', () => {
    const flat = searchSigma(() => 0.1, 0.35, limits);
    expect(flat.sigma).toBe(10);
    const high = searchSigma(() => 1, 0.35, limits);
    expect(high.sigma).toBe(0.1);
    let calls = 0;
    searchSigma(
      () => {
        calls += 1;
        return 0.1;
      },
      0.35,
      limits,
      { maxEvaluations: 3 },
    );
    expect(calls).toBeLessThanOrEqual(3);
  });

  it('counts a non-finite loss as above the target', () => {
    const r = searchSigma((s) => (s > 2 ? Number.NaN : 0.2 + s / 10), 0.35, limits, { tolerance: 0.002 });
    expect(r.sigma).toBeGreaterThan(1.45);
    expect(r.sigma).toBeLessThan(1.55); // 0.2 + σ/10 = 0.35 at σ = 1.5
  });

  it('with the evaluations an 8-step bisection costs, lands closer than its (max/min)^(1/256) in σ', () => {
    const r = searchSigma(loss, 0.35, limits);
    expect(r.evaluations).toBeLessThanOrEqual(9);
    expect(Math.abs(Math.log(r.sigma / 0.5))).toBeLessThan(Math.log(100) / 256);
  });

  it('rejects limits and targets it cannot use', () => {
    expect(() => searchSigma(loss, 0.35, { min: 0, max: 10 })).toThrow(/Invalid sigma limits/);
    expect(() => searchSigma(loss, Number.NaN, limits)).toThrow(/Invalid target/);
  });
});

describe('searchSigma on a loss shaped like input noise’s (flat at small σ, steep, then saturating)', () => {
  // Cross-entropy of a 10-class model under noise: ≈ 0.15 at σ → 0, ln 10 at σ → ∞.
  const shaped = (s: number): number => 0.15 + (Math.log(10) - 0.15) * (1 - Math.exp(-0.25 * s * s));
  it('from the floor, with no slope known, meets the target within the tolerance in 9 evaluations', () => {
    const r = searchSigma(
      shaped,
      0.335,
      { min: 0.001, max: 10 },
      { start: { sigma: 0.1, loss: shaped(0.1) }, tolerance: 0.005 },
    );
    expect(Math.abs(r.loss - 0.335)).toBeLessThanOrEqual(0.005);
    expect(r.evaluations).toBeLessThanOrEqual(9);
  });
});
