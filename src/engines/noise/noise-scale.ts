import type { Dataset } from '../../data/dataset.js';
import { featureStats } from '../../data/feature-std.js';

/** What σ is measured in: input units (`absolute`) or each feature's training-set std (`feature`). */
export type NoiseScale = 'absolute' | 'feature';

/**
 * The per-feature σ multipliers a {@link NoiseScale} asks for: undefined for `absolute` (σ as
 * is), the training rows' population std per feature for `feature` (1 for a constant feature).
 * On standardised data both give the same noise.
 *
 * @example
 * noiseFeatureScale(rawIris, 'feature'); // ≈ [0.83, 0.43, 1.76, 0.76]
 */
export function noiseFeatureScale(train: Dataset, scale: NoiseScale = 'absolute'): Float64Array | undefined {
  return scale === 'feature' ? featureStats(train).std : undefined;
}
