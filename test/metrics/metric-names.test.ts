import { describe, expect, it } from 'vitest';
import { HISTOGRAM_NAMES, METRIC_NAMES, SERIES_NAMES } from '../../src/metrics/metric-names.js';

describe('METRIC_NAMES', () => {
  it('follows the house naming rules', () => {
    for (const name of METRIC_NAMES) {
      expect(name).toMatch(/^lossband_[a-z][a-z0-9_]*$/);
      expect(name).not.toMatch(/_(milliseconds|ms|percent|count|sum|bucket)$/);
    }
    expect(new Set(METRIC_NAMES).size).toBe(METRIC_NAMES.length);
  });

  it('lists histogram series names alongside the base names', () => {
    for (const name of HISTOGRAM_NAMES) {
      expect(SERIES_NAMES).toEqual(expect.arrayContaining([name, `${name}_bucket`, `${name}_sum`, `${name}_count`]));
    }
  });
});
