import { describe, expect, it } from 'vitest';
import { Gaussian } from '../../../src/engines/noise/gaussian.js';

describe('Gaussian', () => {
  it('draws standard normal samples', () => {
    const z = new Float32Array(200_001);
    new Gaussian('7').fill(z);
    let mean = 0;
    for (const v of z) mean += v;
    mean /= z.length;
    let variance = 0;
    for (const v of z) variance += (v - mean) ** 2;
    variance /= z.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeGreaterThan(0.98);
    expect(variance).toBeLessThan(1.02);
  });

  it('has normal tails (ziggurat wedges and tail are right)', () => {
    const z = new Float32Array(2_000_000);
    new Gaussian('tails').fill(z);
    const share = (t: number) => z.reduce((n, v) => n + (Math.abs(v) > t ? 1 : 0), 0) / z.length;
    expect(share(1)).toBeCloseTo(0.3173, 2);
    expect(share(2)).toBeCloseTo(0.0455, 3);
    expect(Math.abs(share(3) - 0.0027) / 0.0027).toBeLessThan(0.08);
    expect(Math.abs(share(3.6) - 0.000318) / 0.000318).toBeLessThan(0.2); // beyond the base layer: the tail branch
    let m4 = 0;
    for (const v of z) m4 += v ** 4;
    expect(m4 / z.length).toBeCloseTo(3, 1);
  });

  it('adds σ-scaled noise to K stacked copies in one pass', () => {
    const x = new Float32Array([10, -10, 5]);
    const out = new Float32Array(3 * 4000);
    new Gaussian('k').addScaled(x, 0.5, out);
    for (let j = 0; j < 3; j++) {
      let mean = 0;
      let sq = 0;
      for (let i = j; i < out.length; i += 3) mean += out[i] as number;
      mean /= 4000;
      for (let i = j; i < out.length; i += 3) sq += ((out[i] as number) - mean) ** 2;
      expect(mean).toBeCloseTo(x[j] as number, 1);
      expect(Math.sqrt(sq / 4000)).toBeCloseTo(0.5, 1);
    }
  });

  it('is a pure function of the seed', () => {
    const a = new Float32Array(101);
    const b = new Float32Array(101);
    const c = new Float32Array(101);
    new Gaussian('s').fill(a);
    new Gaussian('s').fill(b);
    new Gaussian('t').fill(c);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('restores from a saved state to the same continuation, across odd fills', () => {
    const g = new Gaussian('s');
    g.fill(new Float32Array(3)); // leaves a spare sample
    const saved = JSON.parse(JSON.stringify(g.state()));
    const expected = new Float32Array(9);
    g.fill(expected);
    const restored = new Gaussian('s', saved);
    const actual = new Float32Array(9);
    restored.fill(actual);
    expect(Array.from(actual)).toEqual(Array.from(expected));
  });

  it('splits a stream identically whatever the fill sizes', () => {
    const whole = new Float32Array(10);
    new Gaussian('s').fill(whole);
    const g = new Gaussian('s');
    const parts = [3, 1, 4, 2].map((n) => {
      const p = new Float32Array(n);
      g.fill(p);
      return Array.from(p);
    });
    expect(parts.flat()).toEqual(Array.from(whole));
  });
});
