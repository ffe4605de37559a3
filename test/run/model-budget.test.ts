import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { UserError } from '../../src/core/user-error.js';
import type { Split } from '../../src/data/dataset.js';
import { checkModelBudget, estimateModelBudget, MAX_PARAMETERS } from '../../src/run/model-budget.js';

const split = (rows: number, features: number, classes: number): Split => {
  const ds = {
    name: 't',
    featureNames: [],
    classNames: Array.from({ length: classes }, (_, i) => String(i)),
    rows,
    features,
    x: new Float32Array(0),
    y: new Int32Array(0),
  };
  return { train: ds, test: ds };
};
const config = (hidden: number[], extra: object = {}) => resolveConfig([{ model: { hidden }, ...extra }], new Date(0));
const GiB = 1024 ** 3;

describe('model budget', () => {
  it('counts the parameters of the default Iris network', () => {
    expect(estimateModelBudget(config([10]), split(120, 4, 3), 'js').parameters).toBe(83);
    expect(() => checkModelBudget(config([10]), split(120, 4, 3), 'js', { totalMemory: 4 * GiB })).not.toThrow();
  });

  it('refuses more than MAX_PARAMETERS with the count, whatever the memory', () => {
    const huge = () => checkModelBudget(config([65536, 65536]), split(120, 4, 3), 'js', { totalMemory: 1024 * GiB });
    expect(huge).toThrow(UserError);
    expect(huge).toThrow(
      `model.hidden: the 4-65536-65536-3 network has 4,295,557,123 parameters, over the limit of ${MAX_PARAMETERS.toLocaleString('en-US')}; use narrower layers`,
    );
  });

  it('refuses an epoch that needs more memory than the engine may use: 2 GiB on wasm, half the machine elsewhere', () => {
    const big = config([4096], { noise: { draws: 8 } });
    const data = split(6554, 128, 3);
    expect(estimateModelBudget(big, data, 'wasm', { totalMemory: 64 * GiB }).limit).toBe(2 * GiB);
    expect(() => checkModelBudget(big, data, 'wasm', { totalMemory: 64 * GiB })).toThrow(
      /needs about 2\.\d GiB per epoch on wasm, over the 2\.0 GiB it may use/,
    );
    expect(() => checkModelBudget(big, data, 'node', { totalMemory: 64 * GiB })).not.toThrow();
    expect(() => checkModelBudget(big, data, 'node', { totalMemory: 4 * GiB })).toThrow(/over the 2\.0 GiB it may use/);
    // A mini-batch bounds the activations: the same model fits on wasm.
    expect(() =>
      checkModelBudget(
        config([4096], { noise: { draws: 8 }, model: { hidden: [4096], batchSize: 256 } }),
        data,
        'wasm',
        { totalMemory: 64 * GiB },
      ),
    ).not.toThrow();
  });
});
