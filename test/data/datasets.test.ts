import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset, loadIris } from '../../src/data/datasets.js';

const dir = mkdtempSync(join(tmpdir(), 'lossband-ds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const counts = (y: Int32Array, k: number): number[] => {
  const c = new Array<number>(k).fill(0);
  for (const v of y) c[v] = (c[v] ?? 0) + 1;
  return c;
};

describe('loadIris', () => {
  it('loads 150 × 4 with 3 balanced classes in scikit-learn order', () => {
    const ds = loadIris();
    expect(ds.name).toBe('iris');
    expect([ds.rows, ds.features]).toEqual([150, 4]);
    expect(ds.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(counts(ds.y, 3)).toEqual([50, 50, 50]);
    expect([...ds.x.subarray(0, 4)].map((v) => +v.toFixed(2))).toEqual([5.1, 3.5, 1.4, 0.2]);
    expect(ds.y[0]).toBe(0);
    expect(ds.y[149]).toBe(2);
  });
});

describe('loadDataset', () => {
  it('loads wine: 178 × 13, 3 classes', () => {
    const ds = loadDataset('wine');
    expect([ds.name, ds.rows, ds.features]).toEqual(['wine', 178, 13]);
    expect(ds.classNames).toEqual(['class_0', 'class_1', 'class_2']);
    expect(counts(ds.y, 3)).toEqual([59, 71, 48]);
  });

  it('loads breast-cancer: 569 × 30, 2 classes', () => {
    const ds = loadDataset('breast-cancer');
    expect([ds.name, ds.rows, ds.features]).toEqual(['breast-cancer', 569, 30]);
    expect(ds.classNames).toEqual(['benign', 'malignant']);
    expect(counts(ds.y, 2)).toEqual([357, 212]);
    expect(ds.featureNames[0]).toBe('mean_radius');
  });

  it('loads digits: 1797 × 64 pixels in 0..16, classes 0–9 in numeric order', () => {
    const ds = loadDataset('digits');
    expect([ds.name, ds.rows, ds.features]).toEqual(['digits', 1797, 64]);
    expect(ds.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(counts(ds.y, 10)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect([ds.featureNames[0], ds.featureNames[9], ds.featureNames[63]]).toEqual([
      'pixel_0_0',
      'pixel_1_1',
      'pixel_7_7',
    ]);
    expect(Math.min(...ds.x)).toBe(0);
    expect(Math.max(...ds.x)).toBe(16);
    // scikit-learn's first image is a 0: its row 0 reads 0 0 5 13 9 1 0 0.
    expect([...ds.x.subarray(0, 8)]).toEqual([0, 0, 5, 13, 9, 1, 0, 0]);
    expect(ds.y[0]).toBe(0);
  });

  it('generates blobs by spec', () => {
    const wide = loadDataset('blobs:40x5x2:4');
    const spread = (j: number): number =>
      Math.max(...Array.from({ length: 40 }, (_, r) => Math.abs(wide.x[r * 5 + j] as number)));
    expect(spread(4) / spread(0)).toBeGreaterThan(1e3);
    expect(wide.name).toBe('blobs-40x5x2-4d');
    const ds = loadDataset('blobs:30x5x3');
    expect([ds.rows, ds.features, ds.classNames.length]).toEqual([30, 5, 3]);
    expect(loadDataset('blobs').rows).toBe(4096);
  });

  it('loads a user CSV by path, with a label option', () => {
    const path = join(dir, 'user.csv');
    writeFileSync(path, 'kind,a,b\nbig,1,2\nsmall,3,4\n');
    const ds = loadDataset(path, { label: 'kind' });
    expect(ds.name).toBe('user');
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect(ds.classNames).toEqual(['big', 'small']);
  });

  it('explains an unknown bare name', () => {
    expect(() => loadDataset('iriss')).toThrow(
      'dataset "iriss": not a bundled dataset (iris, wine, breast-cancer, digits, blobs) and no such file',
    );
  });

  it('names a missing path', () => {
    expect(() => loadDataset('nope/x.csv')).toThrow('nope/x.csv: no such file');
  });
});
