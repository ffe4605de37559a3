import type { Dataset } from './dataset.js';

/**
 * Per-feature mean and population std of a dataset's rows, in two passes (the one-pass
 * E[x²] − E[x]² formula cancels badly for large offsets). A feature that is constant gets
 * std 1, so dividing or scaling by it is always safe.
 *
 * @example
 * featureStats(loadIris()).std; // ≈ [0.83, 0.43, 1.76, 0.76] (cm)
 */
export function featureStats(ds: Dataset): { mean: Float64Array; std: Float64Array } {
  const f = ds.features;
  const n = ds.rows;
  const mean = new Float64Array(f);
  const min = new Float64Array(f).fill(Infinity);
  const max = new Float64Array(f).fill(-Infinity);
  for (let i = 0; i < n * f; i++) {
    const j = i % f;
    const v = ds.x[i] as number;
    mean[j] = (mean[j] as number) + v / n;
    if (v < (min[j] as number)) min[j] = v;
    if (v > (max[j] as number)) max[j] = v;
  }
  const variance = new Float64Array(f);
  for (let i = 0; i < n * f; i++) {
    const j = i % f;
    const d = (ds.x[i] as number) - (mean[j] as number);
    variance[j] = (variance[j] as number) + (d * d) / n;
  }
  // min === max, not std === 0: rounding in the mean leaves a tiny std on constant columns.
  const std = Float64Array.from(variance, (v, j) => (min[j] === max[j] ? 1 : Math.sqrt(v)));
  return { mean, std };
}
