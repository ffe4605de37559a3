import { describe, expect, it } from 'vitest';
import { makeBlobs } from '../../src/data/make-blobs.js';

describe('makeBlobs', () => {
  it('defaults to 4096 × 64 with 3 classes', () => {
    const ds = makeBlobs();
    expect([ds.rows, ds.features, ds.classNames.length]).toEqual([4096, 64, 3]);
    expect(ds.x.every(Number.isFinite)).toBe(true);
  });

  it('is determined by its seed', () => {
    const a = makeBlobs({ rows: 20, features: 3, seed: 1 });
    expect(makeBlobs({ rows: 20, features: 3, seed: 1 }).x).toEqual(a.x);
    expect(makeBlobs({ rows: 20, features: 3, seed: 2 }).x).not.toEqual(a.x);
  });

  it('balances classes around separate centres with the given spread', () => {
    const f = 8;
    const ds = makeBlobs({ rows: 3000, features: f, classes: 3, clusterStd: 0.3, seed: 3 });
    const n = [0, 0, 0];
    const mean = [0, 1, 2].map(() => new Array<number>(f).fill(0));
    ds.y.forEach((c, r) => {
      n[c] = (n[c] as number) + 1;
      for (let j = 0; j < f; j++) (mean[c] as number[])[j]! += ds.x[r * f + j] as number;
    });
    expect(n).toEqual([1000, 1000, 1000]);
    mean.forEach((m, c) => m.forEach((_, j) => (m[j]! /= n[c] as number)));
    let sq = 0;
    let correct = 0;
    for (let r = 0; r < ds.rows; r++) {
      const d = mean.map((m) => m.reduce((acc, mj, j) => acc + ((ds.x[r * f + j] as number) - mj) ** 2, 0));
      sq += d[ds.y[r] as number] as number;
      if (d.indexOf(Math.min(...d)) === ds.y[r]) correct++;
    }
    expect(Math.sqrt(sq / (ds.rows * f))).toBeCloseTo(0.3, 1);
    expect(correct / ds.rows).toBeGreaterThan(0.95);
  });

  it('rejects bad sizes naming the field', () => {
    expect(() => makeBlobs({ rows: 0 })).toThrow('rows must be a positive integer, got 0');
    expect(() => makeBlobs({ classes: 1 })).toThrow('classes must be at least 2, got 1');
    expect(() => makeBlobs({ features: 2.5 })).toThrow('features must be a positive integer, got 2.5');
  });
});
