import { describe, expect, it } from 'vitest';
import { DEFAULT_EMA_ALPHA, ema, EMA_EMPTY } from '../../src/control/ema.js';

describe('ema', () => {
  it('initialises with the first sample instead of biasing towards 0', () => {
    expect(ema(EMA_EMPTY, 0.8).value).toBe(0.8);
  });

  it('moves by alpha of the gap to each new sample', () => {
    const s1 = ema(EMA_EMPTY, 1, { alpha: 0.25 });
    expect(ema(s1, 0, { alpha: 0.25 }).value).toBeCloseTo(0.75, 12);
    expect(ema(s1, 0).value).toBeCloseTo(1 - DEFAULT_EMA_ALPHA, 12);
  });

  it('passes samples through with alpha 1 and converges to a constant input', () => {
    expect(ema(ema(EMA_EMPTY, 3, { alpha: 1 }), 5, { alpha: 1 }).value).toBe(5);
    let s = ema(EMA_EMPTY, 10);
    for (let k = 0; k < 60; k++) s = ema(s, 2, { alpha: 0.3 });
    expect(s.value).toBeCloseTo(2, 6);
  });

  it('does not mutate its input state', () => {
    const s = ema(EMA_EMPTY, 1);
    ema(s, 2);
    expect(s.value).toBe(1);
  });

  it('rejects a bad alpha or a non-finite sample, naming the value', () => {
    expect(() => ema(EMA_EMPTY, 1, { alpha: 0 })).toThrow(/alpha: 0/);
    expect(() => ema(EMA_EMPTY, 1, { alpha: 1.5 })).toThrow(/alpha: 1.5/);
    expect(() => ema(EMA_EMPTY, NaN)).toThrow(/sample: NaN/);
  });
});
