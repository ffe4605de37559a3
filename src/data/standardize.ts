import type { Dataset, Split } from './dataset.js';

/** A split rescaled by {@link standardize}, with the statistics that were used. */
export interface Standardized {
  readonly split: Split;
  /** Per-feature mean of the training rows. */
  readonly mean: Float32Array;
  /** Per-feature population std of the training rows; 1 where a feature is constant. */
  readonly std: Float32Array;
}

/**
 * Z-scores every feature with the training rows' mean and population std, and applies
 * the same transform to the test rows, so nothing about the test set leaks into training.
 * A feature that is constant in training gets std 1 (it becomes 0) instead of a division
 * by zero.
 *
 * @example
 * const { split, mean, std } = standardize(irisSeedSplit());
 */
export function standardize(split: Split): Standardized {
  const { train } = split;
  const f = train.features;
  const n = train.rows;
  const mean = new Float64Array(f);
  const min = new Float64Array(f).fill(Infinity);
  const max = new Float64Array(f).fill(-Infinity);
  for (let i = 0; i < train.x.length; i++) {
    const j = i % f;
    const v = train.x[i] as number;
    mean[j] = (mean[j] as number) + v / n;
    if (v < (min[j] as number)) min[j] = v;
    if (v > (max[j] as number)) max[j] = v;
  }
  // A second pass: the one-pass E[x²] − E[x]² formula cancels badly for large offsets.
  const variance = new Float64Array(f);
  for (let i = 0; i < train.x.length; i++) {
    const j = i % f;
    const d = (train.x[i] as number) - (mean[j] as number);
    variance[j] = (variance[j] as number) + (d * d) / n;
  }
  // min === max, not std === 0: rounding in the mean leaves a tiny std on constant columns.
  const std = Float64Array.from(variance, (v, j) => (min[j] === max[j] ? 1 : Math.sqrt(v)));
  return {
    split: { train: rescale(train, mean, std), test: rescale(split.test, mean, std) },
    mean: Float32Array.from(mean),
    std: Float32Array.from(std),
  };
}

function rescale(ds: Dataset, mean: Float64Array, std: Float64Array): Dataset {
  const f = ds.features;
  const x = new Float32Array(ds.x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % f;
    x[i] = ((ds.x[i] as number) - (mean[j] as number)) / (std[j] as number);
  }
  return { ...ds, x };
}
