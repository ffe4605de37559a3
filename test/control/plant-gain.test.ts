import { describe, expect, it } from 'vitest';
import { createPlantGainEstimator, type PlantGainState } from '../../src/control/plant-gain.js';
import { gaussian } from './plant.js';

const width = 0.1;

/** Feeds (u, y) pairs; returns the gain read after each. */
function feed(
  pairs: readonly (readonly [number, number])[],
  state?: PlantGainState,
): { gains: number[]; state: PlantGainState } {
  const est = createPlantGainEstimator();
  let s = state ?? est.init();
  const gains = pairs.map(([u, y]) => {
    s = est.step(s, u, y, width);
    return est.gain(s);
  });
  return { gains, state: s };
}

/** A static plant y = 0.3 + gain·width·u, with jitter of `jitter` band widths, driven by `us`. */
function plant(us: readonly number[], gain: number, jitter = 0.1, seed = 1): [number, number][] {
  const normal = gaussian(seed);
  return us.map((u) => [u, 0.3 + gain * width * u + jitter * width * normal()]);
}

describe('createPlantGainEstimator', () => {
  it('starts at a measured gain when given one, clamped to its limits', () => {
    const est = createPlantGainEstimator();
    expect(est.gain(est.init(6))).toBeCloseTo(6);
    expect(est.gain(est.init(1e3))).toBe(30);
    expect(est.gain(est.init(Number.NaN))).toBe(1);
  });

  it('starts at the prior', () => {
    const est = createPlantGainEstimator();
    expect(est.gain(est.init())).toBe(1);
  });

  it('measures the gain from the moves σ makes, through jitter', () => {
    // A climb and a descent in steps of 0.2, as after a band change.
    const us = [0, 0.2, 0.4, 0.6, 0.8, 0.8, 0.6, 0.4, 0.2, 0.4, 0.6];
    for (const seed of [1, 2, 3]) {
      const { gains } = feed(plant(us, 6, 0.1, seed));
      expect(gains.at(-1)).toBeGreaterThan(4.8);
      expect(gains.at(-1)).toBeLessThan(7.2);
    }
  });

  it('keeps its estimate while σ holds still: jitter alone carries no information', () => {
    const learnt = feed(plant([0, 0.2, 0.4, 0.6, 0.8], 6)).state;
    const still = feed(plant(Array(500).fill(0.8), 6, 0.5, 7), learnt);
    expect(still.gains.at(-1)).toBeCloseTo(createPlantGainEstimator().gain(learnt), 12);
  });

  it('reads a climb that the loss does not answer as "barely responds" (clamped to min)', () => {
    // σ climbs at 0.5 per epoch while the loss keeps falling, as right after the first entry.
    const pairs = Array.from({ length: 6 }, (_, k) => [-4.6 + 0.5 * k, 0.33 - 0.01 * k] as const);
    expect(feed(pairs).gains.at(-1)).toBe(0.5);
  });

  it('skips non-finite epochs', () => {
    const est = createPlantGainEstimator();
    const s = est.step(est.init(), 0, 0.3, width);
    expect(est.step(s, 0.2, NaN, width)).toBe(s);
  });

  it('rejects bad options, naming the values', () => {
    expect(() => createPlantGainEstimator({ min: 0 })).toThrow(/min 0/);
    expect(() => createPlantGainEstimator({ prior: 50 })).toThrow(/prior 50/);
    expect(() => createPlantGainEstimator({ rate: 2 })).toThrow(/rate: 2/);
  });
});
