import { describe, expect, it } from 'vitest';
import { Gaussian } from '../../../src/engines/noise/gaussian.js';
import { NoiseSource } from '../../../src/engines/noise/noise-source.js';

const x = Float32Array.from({ length: 64 * 40 }, (_, i) => (i % 7) - 3);

/** The reference: the same calls on a plain generator, in place. */
function reference(seed: string, calls: readonly { draws: number; sigma: number }[]): Float32Array[] {
  const g = new Gaussian(seed);
  return calls.map(({ draws, sigma }) => {
    const out = new Float32Array(x.length * draws);
    g.addScaled(x, sigma, out);
    return out;
  });
}

describe('NoiseSource', () => {
  const calls = [1, 1, 2, 2, 2, 1, 3, 3].map((draws, i) => ({ draws, sigma: 0.1 * (i + 1) }));

  it('gives exactly the numbers of the plain generator, prefetched or not, as K changes', () => {
    const expected = reference('s', calls);
    const source = new NoiseSource(new Gaussian('s'), { prefetchMin: 1 });
    try {
      calls.forEach(({ draws, sigma }, i) => {
        const out = new Float32Array(x.length * draws);
        source.addScaled(x, sigma, out);
        expect(Array.from(out)).toEqual(Array.from(expected[i] as Float32Array));
      });
    } finally {
      source.dispose();
    }
  });

  it('saves the consumed state, not the prefetched one, and restores it', () => {
    const source = new NoiseSource(new Gaussian('s'), { prefetchMin: 1 });
    const first = new Float32Array(x.length);
    source.addScaled(x, 1, first); // a block for the next call is now in flight
    const saved = source.state();
    const next = new Float32Array(x.length);
    source.addScaled(x, 1, next);
    source.dispose();

    const plain = new Gaussian('s', saved);
    const again = new Float32Array(x.length);
    plain.addScaled(x, 1, again);
    expect(Array.from(again)).toEqual(Array.from(next));

    const restored = new NoiseSource(new Gaussian('other'), { prefetchMin: 1 });
    restored.restore(saved);
    const viaRestore = new Float32Array(x.length);
    restored.addScaled(x, 1, viaRestore);
    restored.dispose();
    expect(Array.from(viaRestore)).toEqual(Array.from(next));
  });

  it('interleaves uniforms and fills with prefetched blocks without changing the stream', () => {
    const g = new Gaussian('u');
    const a = new Float32Array(x.length);
    g.addScaled(x, 1, a);
    const u = g.uniform();
    const f = new Float32Array(5);
    g.fill(f);

    const source = new NoiseSource(new Gaussian('u'), { prefetchMin: 1 });
    const b = new Float32Array(x.length);
    source.addScaled(x, 1, b);
    expect(source.uniform()).toBe(u);
    const f2 = new Float32Array(5);
    source.fill(f2);
    source.dispose();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(f2)).toEqual(Array.from(f));
  });

  it('keeps the stream when the worker and its pending block are dropped', () => {
    const expected = reference('d', calls);
    const source = new NoiseSource(new Gaussian('d'), { prefetchMin: 1, waitMs: 1000 });
    const out0 = new Float32Array(x.length);
    source.addScaled(x, 0.1, out0);
    source.dispose(); // drops the worker and its pending block
    calls.slice(1).forEach(({ draws, sigma }, i) => {
      const out = new Float32Array(x.length * draws);
      source.addScaled(x, sigma, out);
      expect(Array.from(out)).toEqual(Array.from(expected[i + 1] as Float32Array));
    });
    source.dispose();
  });
});
