import { describe, expect, it } from 'vitest';
import { Gaussian } from '../../src/train/gaussian.js';

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
