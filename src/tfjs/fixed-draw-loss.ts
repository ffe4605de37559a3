import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { UserError } from '../core/user-error.js';
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
  const batchSize = options.batchSize ?? 1024;
  // One output: the loss (or metric) computed here over row slices of x and y. evaluate would
  // gather every batch's rows first, which on the cpu backend cost as much as the forward pass.
  // A tf.Sequential keeps its compiled loss on the model it wraps (not public: without it, evaluate).
  const lossFunctions = model.lossFunctions ?? (model as unknown as { model?: tf.LayersModel }).model?.lossFunctions;
  const fn = index === 0 ? lossFunctions?.[0] : model.metricsTensors[index - 1]?.[0];
  const pass =
    model.outputs.length === 1 && lossFunctions?.length === 1 && fn
      ? () => meanOverRows(model, x, y, fn, batchSize)
      : () => {
          const out = model.evaluate(x, y, { batchSize, verbose: 0 });
          const scalars = Array.isArray(out) ? out : [out];
          const value = (scalars[index]?.dataSync()[0] as number | undefined) ?? Number.NaN;
          tf.dispose(scalars);
          return value;
        };
  const run = layers.reduceRight<() => number>(
    (inner, layer, i) => () => layer.withFixedDraw(seed + 7919 * i, inner),
    pass,
  );
  return run();
}

type LossOrMetric = tf.LayersModel['lossFunctions'][number];

/**
 * The mean of `fn` (the model's loss or a compiled metric) for a one-output model, in
 * inference mode, over batches of `batchSize` consecutive rows: the batches' means weighted by
 * their rows, as `evaluate` computes it.
 */
function meanOverRows(
  model: tf.LayersModel,
  x: tf.Tensor | tf.Tensor[],
  y: tf.Tensor | tf.Tensor[],
  fn: LossOrMetric,
  batchSize: number,
): number {
  const xs = Array.isArray(x) ? x : [x];
  const target = Array.isArray(y) ? y[0] : y;
  if (!target || xs.length === 0) return Number.NaN;
  const n = xs[0]?.shape[0] ?? 0;
  return tf.tidy(() => {
    let sum: tf.Tensor = tf.scalar(0);
    for (let start = 0; start < n; start += batchSize) {
      const rows = Math.min(batchSize, n - start);
      const inputs = xs.map((t) => tf.slice(t, start, rows));
      const output = model.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, { training: false });
      const batchMean = tf.mean(fn(tf.slice(target, start, rows), output as tf.Tensor));
      sum = tf.add(sum, tf.mul(batchMean, rows));
    }
    return ((tf.div(sum, n).dataSync() as Float32Array)[0] as number | undefined) ?? Number.NaN;
  });
}

/**
 * Rows the fixed-draw measure uses by default: a fixed random sample of this many rows of the
 * training data, all of them when there are fewer. It bounds the pass's cost on a large
 * dataset (4096 rows forward, whatever the epoch's size) and leaves the examples' 1437 and 2000
 * rows whole: on example (a) a 1024-row sample cut the pass's cost by 29 % but held the band
 * worse (0.933 median of 5 seeds, against 0.966 on all rows; bench/results/control-example-a-example-b-rows1024.json),
 * because the loss of fewer rows moves more with the weights from epoch to epoch.
 */
export const FIXED_DRAW_ROWS = 4096;

/**
 * The `measureRows` option of `bandCallback` and `TfjsModelPlant`, checked: a whole number
 * >= 1, {@link FIXED_DRAW_ROWS} when not given. Throws a one-line `UserError` naming it.
 */
export function measureRowsOf(rows: number | undefined, where: string): number {
  const value = rows ?? FIXED_DRAW_ROWS;
  if (!Number.isInteger(value) || value < 1)
    throw new UserError(`${where}: measureRows: expected a whole number >= 1, got ${JSON.stringify(value)}`);
  return value;
}

/** Training tensors cut to the rows the fixed-draw measure uses; see {@link fixedDrawSample}. */
export interface FixedDrawSample {
  readonly x: tf.Tensor | tf.Tensor[];
  readonly y: tf.Tensor | tf.Tensor[];
  /** Rows in the sample. */
  readonly rows: number;
  /** Frees the sample's tensors (the given tensors themselves when it took every row: nothing). */
  dispose(): void;
}

/**
 * The rows {@link fixedDrawLoss} measures on: `rows` rows of `x` and `y` picked at random
 * from `seed` (in their original order), or `x` and `y` themselves when they have no more rows
 * than that. The same arguments pick the same rows.
 *
 * @example
 * const sample = fixedDrawSample(xTrain, yTrain); // 4096 rows at most
 * fixedDrawLoss(model, sample.x, sample.y);
 * sample.dispose();
 */
export function fixedDrawSample(
  x: tf.Tensor | tf.Tensor[],
  y: tf.Tensor | tf.Tensor[],
  rows: number = FIXED_DRAW_ROWS,
  seed = 1,
): FixedDrawSample {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows must be a whole number >= 1, got ${rows}`);
  const n = (Array.isArray(x) ? x[0] : x)?.shape[0] ?? 0;
  if (n <= rows) return { x, y, rows: n, dispose: () => undefined };
  // A partial Fisher–Yates shuffle picks `rows` distinct rows; sorted, they keep the data's order.
  const rng = seedrandom(`lossband-fixed-draw-${seed}`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < rows; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const picked = order.slice(0, rows).sort((a, b) => a - b);
  const kept = tf.tidy(() => {
    const index = tf.tensor1d(picked, 'int32');
    const take = (t: tf.Tensor | tf.Tensor[]) =>
      Array.isArray(t) ? t.map((u) => tf.gather(u, index)) : tf.gather(t, index);
    return { x: take(x), y: take(y) };
  });
  return { ...kept, rows, dispose: () => tf.dispose([kept.x, kept.y].flat()) };
}
