import { describe, expect, it } from 'vitest';
import { createFloodingController } from '../../src/control/flooding.js';

describe('createFloodingController', () => {
  it('adds no noise and floods at the band midpoint', () => {
    const c = createFloodingController();
    const out = c.step(c.init(0), { measurement: 0.1, raw: 0.1, band: { lo: 0.3, hi: 0.4 }, dt: 1 });
    expect(out.sigma).toBe(0);
    expect(out.floodLevel).toBeCloseTo(0.35, 12);
  });

  it('follows a band change', () => {
    const c = createFloodingController();
    const out = c.step(c.init(0), { measurement: 0.1, raw: 0.1, band: { lo: 0.1, hi: 0.2 }, dt: 1 });
    expect(out.floodLevel).toBeCloseTo(0.15, 12);
  });

  it('uses an explicit level and rejects a negative one', () => {
    const c = createFloodingController({ level: 0.05 });
    expect(c.step(c.init(0), { measurement: 1, raw: 1, band: { lo: 0.3, hi: 0.4 }, dt: 1 }).floodLevel).toBe(0.05);
    expect(() => createFloodingController({ level: -0.1 })).toThrow(/level: -0.1/);
  });
});
