import * as tf from '@tensorflow/tfjs';
import { requireNoiseLayers } from './noise-layers.js';

/**
 * What `bandCallback` and `TfjsModelPlant` hold in the band each epoch: the loss at the epoch's
 * final weights with a fixed noise draw ({@link fixedDrawLoss}), or the mean `fit` logs.
 */
export type LossMeasure = 'fixed-draw' | 'fit';

/** Options of {@link fixedDrawLoss}. */
export interface FixedDrawLossOptions {
  /** The log key to return: `loss` or a training metric the model was compiled with. Defaults to `'loss'`. */
  readonly key?: string;
  /** Seed of the noise: the same seed, the same noise realisation. Defaults to `1`. */
  readonly seed?: number;
  /** Rows per forward pass; fixed, so each batch meets the same draw every time. Defaults to 1024. */
  readonly batchSize?: number;
}

/**
 * The model's loss on `(x, y)` at its current weights and current σ, with the noise of every
 * `controlledNoise` layer drawn from a fixed seed: one forward pass, no optimiser step.
 *
 * Called once an epoch with the same seed, it measures every epoch against the same noise
 * realisation (common random numbers): the loss still rises with σ and moves with the
 * weights, but the epoch-to-epoch jitter a fresh draw adds cancels out. This is what
 * {@link bandCallback} and {@link TfjsModelPlant} hold in the band when they are given the
 * training tensors (their `measure: 'fixed-draw'`).
 *
 * @example
 * setSigma(model, 0.4);
 * fixedDrawLoss(model, xTrain, yTrain); // e.g. 0.312, the same number twice in a row
 */
export function fixedDrawLoss(
  model: tf.LayersModel,
  x: tf.Tensor | tf.Tensor[],
  y: tf.Tensor | tf.Tensor[],
  options: FixedDrawLossOptions = {},
): number {
  const key = options.key ?? 'loss';
  const index = model.metricsNames.indexOf(key);
  if (index < 0)
    throw new Error(`fixedDrawLoss: key ${JSON.stringify(key)}: the model logs only ${model.metricsNames.join(', ')}`);
  const seed = options.seed ?? 1;
  const layers = requireNoiseLayers(model);
  // Nest one fixed-draw scope per layer, each with a seed of its own.
  const run = layers.reduceRight<() => tf.Scalar | tf.Scalar[]>(
    (inner, layer, i) => () => layer.withFixedDraw(seed + 7919 * i, inner),
    () => model.evaluate(x, y, { batchSize: options.batchSize ?? 1024, verbose: 0 }),
  );
  const out = run();
  const scalars = Array.isArray(out) ? out : [out];
  const value = (scalars[index]?.dataSync()[0] as number | undefined) ?? Number.NaN;
  tf.dispose(scalars);
  return value;
}
