import seedrandom from 'seedrandom';

/**
 * The initial weights of an MLP with `widths` (inputs, hidden…, outputs), drawn like PyTorch's
 * `nn.Linear`: weights and biases from U(−1/√fan_in, 1/√fan_in). One seeded generator
 * (`${seed}:init`) draws W1, b1, W2, b2, … in that order (W row-major `[fanIn, fanOut]`), so
 * both engines start from the very same network for a seed.
 *
 * @example
 * const [w1, b1, w2, b2] = initialWeights([4, 10, 3], '42'); // w1.length === 40
 */
export function initialWeights(widths: readonly number[], seed: string): Float32Array[] {
  widths.forEach((w, i) => {
    if (!Number.isInteger(w) || w < 1) throw new RangeError(`layer width ${i} must be a positive integer, got ${w}`);
  });
  const rng = seedrandom.alea(`${seed}:init`);
  const out: Float32Array[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l] as number;
    const fanOut = widths[l + 1] as number;
    const bound = 1 / Math.sqrt(fanIn);
    for (const size of [fanIn * fanOut, fanOut]) {
      const v = new Float32Array(size);
      for (let i = 0; i < size; i++) v[i] = (2 * rng() - 1) * bound;
      out.push(v);
    }
  }
  return out;
}
