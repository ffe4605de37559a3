import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/data/dataset.js';
import { Gaussian } from '../../../src/engines/noise/gaussian.js';
import { noiseFeatureScale } from '../../../src/engines/noise/noise-scale.js';
import { NoisyBatch } from '../../../src/engines/noise/noisy-batch.js';

/** 500 rows × 3 features on scales 1e-3, 1, 1e3 (constant rows: noise is all that varies). */
const data: Dataset = {
  name: 'scales',
  featureNames: ['a', 'b', 'c'],
  classNames: ['x', 'y'],
  rows: 500,
  features: 3,
  x: Float32Array.from({ length: 1500 }, (_, i) => [0.001, 1, 1000][i % 3] as number),
  y: Int32Array.from({ length: 500 }, (_, r) => r % 2),
};

function noiseStd(batch: { x: Float32Array; rows: number }, base: Float32Array, sigma: number): number[] {
  return [0, 1, 2].map((j) => {
    let sum = 0;
    for (let r = 0; r < batch.rows; r++) sum += ((batch.x[r * 3 + j] as number) - (base[j] as number)) ** 2;
    return Math.sqrt(sum / batch.rows) / sigma;
  });
}

describe('NoisyBatch', () => {
  it.each([false, true])('multiplies σ by each feature’s scale (shuffled: %s)', (shuffle) => {
    const scale = [0.001, 1, 1000];
    const batch = new NoisyBatch(data, new Gaussian('1'), { featureScale: scale }).next(0.5, 4, shuffle);
    const std = noiseStd(batch, data.x, 0.5);
    std.forEach((s, j) => expect(s / (scale[j] as number)).toBeCloseTo(1, 1));
  });

  it('adds the same σ to every feature without a scale, bit for bit as before', () => {
    const plain = new NoisyBatch(data, new Gaussian('2')).next(0.3, 2, false).x.slice();
    const ones = new NoisyBatch(data, new Gaussian('2'), { featureScale: [1, 1, 1] }).next(0.3, 2, false).x;
    expect(ones).toEqual(plain);
    noiseStd({ x: plain, rows: 1000 }, data.x, 0.3).forEach((s) => expect(s).toBeCloseTo(1, 1));
  });

  it.each([false, true])(
    'pairs copies with opposite noise when antithetic, an odd K’s last copy independent (shuffled: %s)',
    (shuffle) => {
      const ds: Dataset = { ...data, rows: 50, x: data.x.slice(0, 150), y: data.y.slice(0, 50) };
      const base = new NoisyBatch(ds, new Gaussian('4'), { antithetic: true, featureScale: [0.001, 1, 1000] });
      for (const draws of [2, 4, 5]) {
        const b = base.next(0.5, draws, shuffle);
        // Σ over all noisy rows of (x − source) per feature: the pairs cancel; an odd K leaves one copy's noise.
        const sums = [0, 0, 0];
        for (let r = 0; r < b.rows; r++)
          for (let j = 0; j < 3; j++) sums[j] = (sums[j] as number) + (b.x[r * 3 + j] as number) - (ds.x[j] as number);
        sums.forEach((s, j) => {
          const perRow = Math.abs(s) / 50 / (0.5 * ([0.001, 1, 1000][j] as number));
          if (draws % 2 === 0) expect(perRow).toBeLessThan(1e-4);
          else expect(perRow).toBeGreaterThan(1e-3);
        });
      }
    },
  );

  it('refuses a scale whose length is not the feature count', () => {
    expect(() => new NoisyBatch(data, new Gaussian('3'), { featureScale: [1, 2] })).toThrow(/2 entries for 3 features/);
  });
});

describe('noiseFeatureScale', () => {
  it('is each feature’s training std for `feature`, 1 for a constant feature, and nothing for `absolute`', () => {
    const spread: Dataset = { ...data, rows: 2, x: Float32Array.from([0, 5, 7, 2, 5, 7]), y: Int32Array.from([0, 1]) };
    expect([...(noiseFeatureScale(spread, 'feature') as Float64Array)]).toEqual([1, 1, 1]);
    const wide: Dataset = { ...data, rows: 2, x: Float32Array.from([0, 0, 0, 2, 20, 7]), y: Int32Array.from([0, 1]) };
    expect([...(noiseFeatureScale(wide, 'feature') as Float64Array)]).toEqual([1, 10, 3.5]);
    expect(noiseFeatureScale(wide, 'absolute')).toBeUndefined();
  });
});
