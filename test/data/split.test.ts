import { describe, expect, it } from 'vitest';
import { loadIris } from '../../src/data/datasets.js';
import type { Dataset } from '../../src/data/dataset.js';
import { irisSeedSplit, splitByIndices, splitDataset } from '../../src/data/split.js';
import { UserError } from '../../src/core/user-error.js';

/** Rows tagged by their first feature, so a split's rows can be traced back. */
function tagged(rows: number, classes = 2): Dataset {
  return {
    name: 'tagged',
    featureNames: ['id', 'twice'],
    classNames: Array.from({ length: classes }, (_, c) => `c${c}`),
    rows,
    features: 2,
    x: Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? i / 2 : i - 1)),
    y: Int32Array.from({ length: rows }, (_, i) => i % classes),
  };
}
const ids = (ds: Dataset): number[] => Array.from({ length: ds.rows }, (_, r) => ds.x[r * ds.features] as number);

describe('irisSeedSplit', () => {
  it('reproduces the seed program split: 120/30, train starts at row 22', () => {
    const { train, test } = irisSeedSplit();
    expect([train.rows, test.rows]).toEqual([120, 30]);
    const iris = loadIris();
    expect([...train.x.subarray(0, 4)]).toEqual([...iris.x.subarray(22 * 4, 23 * 4)]);
    expect(train.y[0]).toBe(iris.y[22]);
    expect(train.classNames).toEqual(iris.classNames);
  });
});

describe('splitDataset', () => {
  it('is deterministic for a seed and differs for another', () => {
    const ds = tagged(50);
    const a = splitDataset(ds, { seed: 42 });
    expect(ids(splitDataset(ds, { seed: 42 }).train)).toEqual(ids(a.train));
    expect(ids(splitDataset(ds, { seed: 43 }).train)).not.toEqual(ids(a.train));
  });

  it('partitions all rows, rounding the test size up like scikit-learn', () => {
    const { train, test } = splitDataset(tagged(150), { seed: 1 });
    expect([train.rows, test.rows]).toEqual([120, 30]);
    expect([...ids(train), ...ids(test)].sort((p, q) => p - q)).toEqual(ids(tagged(150)));
    expect(splitDataset(tagged(11), { seed: 1, testFraction: 0.25 }).test.rows).toBe(3);
  });

  it('keeps rows intact: features and label move together', () => {
    const { train } = splitDataset(tagged(20, 3), { seed: 's' });
    for (let r = 0; r < train.rows; r++) {
      const id = train.x[r * 2] as number;
      expect(train.x[r * 2 + 1]).toBe(2 * id);
      expect(train.y[r]).toBe(id % 3);
    }
  });

  it('puts at least one row in each part', () => {
    expect(splitDataset(tagged(3), { seed: 1, testFraction: 0.01 }).test.rows).toBe(1);
    expect(splitDataset(tagged(3), { seed: 1, testFraction: 0.99 }).train.rows).toBe(1);
  });

  it('stratifies on request', () => {
    const ds = { ...tagged(100, 2), y: Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1)) };
    const { train, test } = splitDataset(ds, { seed: 5, stratify: true, testFraction: 0.25 });
    expect(test.rows).toBe(25);
    expect([...test.y].filter((c) => c === 1)).toHaveLength(5);
    expect([...train.y].filter((c) => c === 1)).toHaveLength(15);
  });

  it.each([0, 1, -0.1, 1.5, NaN])('rejects testFraction %s naming the option', (testFraction) => {
    expect(() => splitDataset(tagged(10), { seed: 1, testFraction })).toThrow(UserError);
    expect(() => splitDataset(tagged(10), { seed: 1, testFraction })).toThrow(/^testFraction must be in \(0, 1\)/);
  });

  it('rejects a dataset too small to split', () => {
    expect(() => splitDataset(tagged(1), { seed: 1 })).toThrow(
      'dataset "tagged" has 1 row(s); a split needs at least 2',
    );
  });
});

describe('splitByIndices', () => {
  it('keeps the given order', () => {
    const { train, test } = splitByIndices(tagged(6), [4, 0, 2], [5]);
    expect(ids(train)).toEqual([4, 0, 2]);
    expect(ids(test)).toEqual([5]);
  });

  it('rejects out-of-range, overlapping and empty indices', () => {
    expect(() => splitByIndices(tagged(4), [0, 4], [1])).toThrow('train index 4 is not a row of "tagged" (0..3)');
    expect(() => splitByIndices(tagged(4), [0, 1], [1])).toThrow('row 1 is in both train and test');
    expect(() => splitByIndices(tagged(4), [0], [])).toThrow('test indices are empty');
  });
});
