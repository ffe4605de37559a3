import * as tf from '@tensorflow/tfjs';
import { UserError } from '../core/user-error.js';
import { noiseLayers } from './noise-layers.js';

/**
 * What σ is measured in, as the CLI's `noise.scale`: input units (`absolute`) or each feature's
 * training-set std (`feature`), so that one σ corrupts every feature alike however its scale.
 */
export type NoiseScaleMode = 'absolute' | 'feature';

/** The `noise` options {@link bandCallback} and {@link TfjsModelPlant} share about the noise's scale. */
export interface NoiseScaleOptions {
  /**
   * `feature` multiplies σ by each input feature's std over the training inputs (the first
   * input tensor; every non-batch position of it is a feature, e.g. 64 pixels of an 8×8 image),
   * `absolute` leaves σ in input units. Defaults, as the CLI's, to `feature` when the training
   * inputs are not standardised (some feature's mean is off 0 or its std off 1 by more than 0.1)
   * and to `absolute` when they are or when no training tensors are given.
   */
  readonly scale?: NoiseScaleMode | undefined;
  /** The per-feature std to scale σ by, instead of measuring it (implies `scale: 'feature'`). Defaults to none. */
  readonly featureStd?: readonly number[] | undefined;
}

/** Per-feature mean and population std of `x` over its first (batch) axis, flattened. */
export interface FeatureMoments {
  readonly mean: number[];
  /** 1 for a constant feature, as in the CLI: scaling by it is always safe. */
  readonly std: number[];
}

/**
 * Per-feature mean and std of a training tensor `[rows, ...]`: every non-batch position is a
 * feature (row-major). A constant feature gets std 1.
 *
 * @example
 * featureMoments(tf.tensor2d([[0, 10], [2, 30]])); // { mean: [1, 20], std: [1, 10] }
 */
export function featureMoments(x: tf.Tensor): FeatureMoments {
  if (x.rank < 2 || x.shape[0] === 0)
    throw new UserError(`noise.scale: training inputs must be [rows, ...features], got [${x.shape.join(', ')}]`);
  const [mean, variance, range] = tf.tidy(() => {
    const flat = tf.reshape(tf.cast(x, 'float32'), [x.shape[0] as number, -1]);
    const m = tf.moments(flat, 0);
    return [m.mean, m.variance, tf.sub(tf.max(flat, 0), tf.min(flat, 0))];
  });
  const out = {
    mean: Array.from(mean.dataSync()),
    std: Array.from(variance.dataSync(), (v, j) => (range.dataSync()[j] === 0 ? 1 : Math.sqrt(v))),
  };
  tf.dispose([mean, variance, range]);
  return out;
}

/** Whether every feature is standardised: mean within 0.1 of 0 and std within 0.1 of 1 (constant ones aside). */
export function isStandardised(m: FeatureMoments): boolean {
  return m.mean.every((mean, j) => Math.abs(mean) <= 0.1 && Math.abs((m.std[j] as number) - 1) <= 0.1);
}

/**
 * The per-feature σ multiplier {@link NoiseScaleOptions} ask for: the given `featureStd`, the
 * std of `x`, or `undefined` for σ in input units. `where` prefixes the one-line errors.
 *
 * @example
 * resolveFeatureScale({ scale: 'feature' }, xTrain, 'bandCallback'); // [0.41, 0.02, …]
 */
export function resolveFeatureScale(
  o: NoiseScaleOptions | undefined,
  x: tf.Tensor | undefined,
  where: string,
): number[] | undefined {
  const mode = o?.scale;
  if (mode !== undefined && mode !== 'absolute' && mode !== 'feature')
    throw new UserError(`${where}: noise.scale: expected 'absolute' or 'feature', got ${JSON.stringify(mode)}`);
  if (o?.featureStd !== undefined) {
    if (mode === 'absolute') throw new UserError(`${where}: noise.featureStd: not with noise.scale 'absolute'`);
    const std = o.featureStd;
    if (!Array.isArray(std) || std.length === 0)
      throw new UserError(`${where}: noise.featureStd: expected a non-empty array of numbers`);
    const bad = std.findIndex((s) => typeof s !== 'number' || !Number.isFinite(s) || s < 0);
    if (bad >= 0)
      throw new UserError(`${where}: noise.featureStd[${bad}]: expected a finite number >= 0, got ${String(std[bad])}`);
    return [...std];
  }
  if (mode === 'absolute') return undefined;
  if (x === undefined) {
    if (mode === 'feature')
      throw new UserError(`${where}: noise.scale 'feature': needs the training inputs (data) or noise.featureStd`);
    return undefined;
  }
  const m = featureMoments(x);
  return mode === 'feature' || !isStandardised(m) ? m.std : undefined;
}

/**
 * Sets the per-feature σ multiplier on the model's `controlledNoise` layers. With `force`
 * (the scale was asked for explicitly) on every one; otherwise only on those built without a
 * `scale` of their own. Throws a one-line error when the scale does not fit a layer's input.
 */
export function applyFeatureScale(
  model: tf.LayersModel,
  scale: readonly number[],
  force: boolean,
  where: string,
): void {
  for (const layer of noiseLayers(model)) {
    if (!force && layer.scale !== undefined) continue;
    try {
      layer.setScale(scale);
    } catch (err) {
      throw new UserError(`${where}: noise.scale: ${(err as Error).message}`);
    }
  }
}
