import type { Dataset, Split } from './dataset.js';
import { featureStats } from './feature-std.js';

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
  const { mean, std } = featureStats(split.train);
  return {
    split: { train: rescale(split.train, mean, std), test: rescale(split.test, mean, std) },
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
