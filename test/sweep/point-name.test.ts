import { describe, expect, it } from 'vitest';
import { RUN_NAME_PATTERN } from '../../src/config/schema.js';
import { pointName } from '../../src/sweep/point-name.js';

describe('pointName', () => {
  it('shows each parameter compactly', () => {
    expect(pointName('iris', 5, 8, { 'controller.type': 'pid', seed: 2 })).toBe('iris-5-pid_seed2');
    expect(
      pointName('s', 0, 1, { band: { lo: 0.3, hi: 0.4 }, 'model.hidden': [16, 8], 'model.learningRate': 0.001 }),
    ).toBe('s-0-lo0.3-hi0.4_hidden16x8_learningRate0.001');
    expect(
      pointName('s', 0, 1, { 'data.path': '/data/my wine.csv', 'model.batchSize': null, 'data.standardize': false }),
    ).toBe('s-0-data-my-wine.csv_batchSizenull_standardizefalse');
  });

  it('zero-pads the index so names sort in point order', () => {
    expect(pointName('s', 7, 120, {})).toBe('s-007');
    expect(pointName('s', 0, 10, {})).toBe('s-0');
    expect(pointName('s', 0, 11, {})).toBe('s-00');
  });

  it('cuts long slugs to a valid 64-character run name', () => {
    const name = pointName('a'.repeat(40), 9999, 10_000, { 'data.path': 'x'.repeat(100), seed: 3 });
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(RUN_NAME_PATTERN);
    expect(name.startsWith(`${'a'.repeat(40)}-9999-`)).toBe(true);
    expect(pointName('s', 1, 2, { 'data.path': 'ab' + '.'.repeat(70) })).toBe('s-1-ab');
  });

  it('keeps a name valid when a value has no usable characters', () => {
    expect(pointName('s', 1, 2, { 'data.path': '///', seed: 'é' })).toBe('s-1');
  });
});
