import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';

const now = new Date('2026-01-02T03:04:05Z');

describe('resolveConfig', () => {
  it('defaults to the default preset with a timestamped name', () => {
    const c = resolveConfig([], now);
    expect(c.preset).toBe('default');
    expect(c.name).toBe('default-20260102-030405');
    expect(c.out).toBe('runs/default-20260102-030405');
    expect(c.controller.type).toBe('pid');
    expect(c.band).toEqual({ lo: 0.3, hi: 0.4 });
  });

  it('the seed preset is the tutorial program', () => {
    const c = resolveConfig([{ preset: 'seed' }], now);
    expect(c).toMatchObject({
      epochs: 50,
      data: { path: 'iris', standardize: false, split: 'seed' },
      noise: { sigma: 0.1, draws: 1 },
      controller: { type: 'fixed' },
      model: { hidden: [10], optimizer: 'adam', learningRate: 0.01, batchSize: null },
    });
  });

  it('scales noise by feature std by default only when the data is not standardised; the seed stays absolute', () => {
    expect(resolveConfig([], now).noise.scale).toBe('absolute');
    expect(resolveConfig([{ data: { standardize: false } }], now).noise.scale).toBe('feature');
    expect(resolveConfig([{ preset: 'seed' }], now).noise.scale).toBe('absolute');
    expect(resolveConfig([{ data: { standardize: false } }, { noise: { scale: 'absolute' } }], now).noise.scale).toBe(
      'absolute',
    );
    expect(resolveConfig([{ preset: 'seed', noise: { scale: 'feature' } }], now).noise.scale).toBe('feature');
  });

  it('later layers win key by key inside sections', () => {
    const c = resolveConfig([{ model: { learningRate: 0.1 }, epochs: 5 }, { model: { hidden: [3] } }], now);
    expect(c.model).toEqual({ hidden: [3], optimizer: 'adam', learningRate: 0.1, batchSize: null });
    expect(c.epochs).toBe(5);
  });

  it('checks constraints that span keys', () => {
    expect(() => resolveConfig([{ noise: { min: 2, max: 1 } }], now)).toThrow(/^noise\.min: /);
    expect(() => resolveConfig([{ data: { path: 'wine', split: 'seed' } }], now)).toThrow(/^data\.split: /);
  });
});
