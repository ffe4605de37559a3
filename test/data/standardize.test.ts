import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { irisSeedSplit } from '../../src/data/split.js';
import { standardize } from '../../src/data/standardize.js';

function table(rows: number[][]): Dataset {
  const features = rows[0]?.length ?? 0;
  return {
    name: 't',
    featureNames: Array.from({ length: features }, (_, j) => `f${j}`),
    classNames: ['a', 'b'],
    rows: rows.length,
    features,
    x: Float32Array.from(rows.flat()),
    y: Int32Array.from(rows, (_, i) => i % 2),
  };
}

function columnStats(ds: Dataset, j: number): { mean: number; std: number } {
  let sum = 0;
  for (let r = 0; r < ds.rows; r++) sum += ds.x[r * ds.features + j] as number;
  const mean = sum / ds.rows;
  let sq = 0;
  for (let r = 0; r < ds.rows; r++) sq += ((ds.x[r * ds.features + j] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(sq / ds.rows) };
}

describe('standardize', () => {
  it('gives the training rows mean 0 and std 1 per feature', () => {
    const { split } = standardize(irisSeedSplit());
    for (let j = 0; j < 4; j++) {
      const { mean, std } = columnStats(split.train, j);
      expect(mean).toBeCloseTo(0, 5);
      expect(std).toBeCloseTo(1, 5);
    }
  });

  it('uses training statistics only (population std) for both parts', () => {
    const train = table([[1], [3]]);
    const test = table([[5], [100]]);
    const { split, mean, std } = standardize({ train, test });
    expect([...mean]).toEqual([2]);
    expect([...std]).toEqual([1]);
    expect([...split.test.x]).toEqual([3, 98]);
    expect([...split.train.x]).toEqual([-1, 1]);
  });

  it('maps a constant training feature to 0 with std 1', () => {
    const { split, std } = standardize({
      train: table([
        [0.1, 1],
        [0.1, 2],
        [0.1, 3],
      ]),
      test: table([[0.1, 2]]),
    });
    expect(std[0]).toBe(1);
    expect([0, 2, 4].map((i) => split.train.x[i])).toEqual([0, 0, 0]);
    expect(split.test.x[0]).toBe(0);
  });

  it('leaves the input untouched and keeps labels', () => {
    const input = irisSeedSplit();
    const before = Float32Array.from(input.train.x);
    const { split } = standardize(input);
    expect(input.train.x).toEqual(before);
    expect(split.train.y).toEqual(input.train.y);
  });
});
