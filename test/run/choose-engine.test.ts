import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { Dataset, Split } from '../../src/data/dataset.js';
import { JS_ENGINE_MAX_WORK } from '../../src/engines/select-engine.js';
import { loopOptions, runShape } from '../../src/run/create-actuator.js';
import { chooseEngine } from '../../src/run/choose-engine.js';

/** A split of the given shape (the engine choice reads only its counts). */
const split = (rows: number, features: number, classes: number, testRows = Math.round(rows / 4)): Split => {
  const ds = (n: number): Dataset => ({
    name: 't',
    featureNames: [],
    classNames: Array.from({ length: classes }, (_, i) => String(i)),
    rows: n,
    features,
    x: new Float32Array(0),
    y: new Int32Array(0),
  });
  return { train: ds(rows), test: ds(testRows) };
};
const config = (hidden: number[], noise: object = {}) =>
  resolveConfig([{ model: { hidden }, noise: { draws: 'auto', ...noise } }], new Date(0));

describe('chooseEngine with draws: auto', () => {
  it('counts the work at the K cap the budget sets for this model, not a fixed K = 8', async () => {
    // 1566 rows × 4-10-3 (83 parameters): the budget's free work allows K = 6 at most, whose
    // work 1566 · 6 · 83 = 7.8·10⁵ is plain-JS sized; K = 8 would have been 1.04·10⁶.
    const s = split(1566, 4, 3);
    expect(loopOptions(config([10]), runShape(s)).drawsPolicy?.maxDraws).toBe(6);
    expect(1566 * 6 * 83).toBeLessThanOrEqual(JS_ENGINE_MAX_WORK);
    expect(1566 * 8 * 83).toBeGreaterThan(JS_ENGINE_MAX_WORK);
    expect(await chooseEngine(config([10]), s)).toBe('js');
  });

  it('follows noise.budget and noise.maxDraws through the cap', async () => {
    // Same model with maxDraws 16 and a large budget: K may reach 16, 2.1·10⁶ of work.
    expect(await chooseEngine(config([10], { budget: 100 }), split(1566, 4, 3))).not.toBe('js');
    // A tiny model is capped by maxDraws: Iris-sized at K = 16 is 1.6·10⁵.
    expect(await chooseEngine(config([10], { maxDraws: 16 }), split(120, 4, 3))).toBe('js');
  });

  it('keeps a fixed K as given', async () => {
    expect(await chooseEngine(config([10], { draws: 6 }), split(1566, 4, 3))).toBe('js');
    expect(await chooseEngine(config([10], { draws: 8 }), split(1566, 4, 3))).not.toBe('js');
  });
});
