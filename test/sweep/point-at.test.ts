import { describe, expect, it } from 'vitest';
import { expandSweep } from '../../src/sweep/expand-sweep.js';
import { loadSweepFile } from '../../src/sweep/load-sweep-file.js';
import { pointAt } from '../../src/sweep/point-at.js';
import { UserError } from '../../src/core/user-error.js';

const points = expandSweep(loadSweepFile('examples/sweep.yaml'));

describe('pointAt (the --index semantic)', () => {
  it('is points[I] for every I, given as a number or as the text of JOB_COMPLETION_INDEX', () => {
    for (let i = 0; i < points.length; i++) {
      expect(pointAt(points, i)).toBe(points[i]);
      expect(pointAt(points, String(i))).toBe(points[i]);
      expect(pointAt(points, i).index).toBe(i);
    }
  });

  it('rejects an index out of range in one line naming the flag and the range', () => {
    expect(() => pointAt(points, 8)).toThrow(new UserError('--index 8: out of range; the sweep has 8 points (0-7)'));
    expect(() => pointAt(points, '8')).toThrow('--index "8": out of range; the sweep has 8 points (0-7)');
    expect(() => pointAt(points, -1)).toThrow('--index -1: out of range');
    expect(() => pointAt([], 0)).toThrow('--index 0: out of range; the sweep has no points');
  });

  it('rejects anything but a whole number', () => {
    for (const bad of ['', ' 1', '1.0', '1e0', '-0', '0x1', 'abc', '9'.repeat(30), 'length']) {
      expect(() => pointAt(points, bad), bad).toThrow(
        /^--index ".*": expected a whole number; the sweep has 8 points \(0-7\)$/,
      );
    }
    expect(() => pointAt(points, 1.5)).toThrow('--index 1.5: expected a whole number');
    expect(() => pointAt(points, Number.NaN)).toThrow('--index NaN: expected a whole number');
  });
});
