import { describe, expect, it } from 'vitest';
import { ZERO_TERMS } from '../../src/core/actuation.js';
import { createFixedController } from '../../src/control/fixed.js';

const band = { lo: 0.3, hi: 0.4 };

describe('createFixedController', () => {
  it('defaults to the seed program σ = 0.1', () => {
    const c = createFixedController();
    expect(c.step(c.init(0.1), { measurement: 0.2, raw: 0.2, band, dt: 1 }).sigma).toBe(0.1);
  });

  it('ignores the loss entirely', () => {
    const c = createFixedController({ sigma: 0.7 });
    let state = c.init(0.7);
    for (const y of [5, 0.35, 0, 1e-9, 2]) {
      const out = c.step(state, { measurement: y, raw: y, band, dt: 1 });
      expect(out.sigma).toBe(0.7);
      expect(out.terms).toEqual(ZERO_TERMS);
      state = out.state;
    }
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('allows σ = 0 and rejects negative σ, naming it', () => {
    expect(createFixedController({ sigma: 0 }).type).toBe('fixed');
    expect(() => createFixedController({ sigma: -1 })).toThrow(/sigma: -1/);
  });
});
