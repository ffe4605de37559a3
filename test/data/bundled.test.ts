import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLED_DATASETS, bundledDataPath } from '../../src/data/bundled.js';

describe('bundledDataPath', () => {
  it('resolves every bundled file in the package data folder', () => {
    for (const { file } of Object.values(BUNDLED_DATASETS)) {
      const path = bundledDataPath(file);
      expect(path).toMatch(/[/\\]data[/\\][^/\\]+\.csv$/);
      expect(existsSync(path), path).toBe(true);
    }
    expect(existsSync(bundledDataPath('iris_split_rs42.json'))).toBe(true);
  });
});
