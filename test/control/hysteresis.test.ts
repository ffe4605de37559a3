import { describe, expect, it } from 'vitest';
import { createHysteresisController, type HysteresisState } from '../../src/control/hysteresis.js';

const band = { lo: 0.3, hi: 0.4 };

function run(measurements: number[], options = {}, sigma0 = 0.5): number[] {
  const c = createHysteresisController(options);
  let state: HysteresisState = c.init(sigma0);
  return measurements.map((y) => {
    const out = c.step(state, { measurement: y, raw: y, band, dt: 1 });
    state = out.state;
    return out.sigma;
  });
}

describe('createHysteresisController', () => {
  it('raises σ below the band, lowers it above, holds it inside', () => {
    const [below] = run([0.2], { factor: 1.1 });
    const [above] = run([0.5], { factor: 1.1 });
    const inside = run([0.3, 0.35, 0.4], { factor: 1.1 });
    expect(below).toBeCloseTo(0.55, 12);
    expect(above).toBeCloseTo(0.5 / 1.1, 12);
    expect(inside).toEqual([0.5, 0.5, 0.5]);
  });

  it('waits at least `dwell` epochs between changes', () => {
    const sigmas = run(Array(12).fill(0.1), { factor: 1.1, dwell: 3 });
    const changes = sigmas.map((s, k) => (k === 0 ? s !== 0.5 : s !== sigmas[k - 1])).flatMap((c, k) => (c ? [k] : []));
    expect(changes).toEqual([0, 3, 6, 9]);
  });

  it('clamps σ to [sigmaMin, sigmaMax]', () => {
    expect(run(Array(100).fill(0.1), { factor: 1.5, dwell: 0, sigmaMax: 2 }).at(-1)).toBe(2);
    expect(run(Array(100).fill(0.9), { factor: 1.5, dwell: 0, sigmaMin: 0.05 }).at(-1)).toBe(0.05);
    expect(createHysteresisController({ sigmaMin: 0.05 }).init(0).sigma).toBe(0.05);
  });

  it('rejects a factor that cannot move σ, naming it', () => {
    expect(() => createHysteresisController({ factor: 1 })).toThrow(/factor: 1/);
  });
});
