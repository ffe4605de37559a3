import type * as tf from '@tensorflow/tfjs';
import type { Actuation } from '../core/actuation.js';
import type { EpochMeasurement } from '../core/epoch-measurement.js';
import type { Plant } from '../core/plant.js';
import { UserError } from '../core/user-error.js';
import { requireLoggedKey } from './logged-keys.js';
import { exportModelState, restoreModelState, type ModelState } from './model-state.js';
import { requireNoiseLayers, setSigma } from './noise-layers.js';
import { fixedDrawLoss, fixedDrawSample, measureRowsOf, type LossMeasure } from './fixed-draw-loss.js';
import { applyFeatureScale, resolveFeatureScale, type NoiseScaleOptions } from './noise-scale.js';
import { requireGradientKernels } from './require-gradient-kernels.js';

type Logs = Record<string, number[]>;
/** What `model.fitDataset` trains on: batches of `{ xs, ys }` (or `[xs, ys]`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tfjs types fitDataset's element as `T` (anything batchable)
export type TrainingDataset = tf.data.Dataset<any>;

/** Options of {@link TfjsModelPlant}: a compiled model and its data, as tensors or as a dataset. */
export interface TfjsModelPlantOptions {
  /** A compiled `tf.LayersModel` with at least one `controlledNoise` layer. Required; stays the caller's. */
  readonly model: tf.LayersModel;
  /** Training inputs, with {@link y}. Give either `x` and `y` or {@link dataset}. */
  readonly x?: tf.Tensor | tf.Tensor[];
  /** Training targets, with {@link x}. */
  readonly y?: tf.Tensor | tf.Tensor[];
  /** Training batches for `model.fitDataset`; one pass over it is an epoch. */
  readonly dataset?: TrainingDataset;
  /** Held-out data: `[x, y]` tensors, or a dataset with `dataset`. Defaults to none (valLoss is NaN). */
  readonly validationData?: [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]] | TrainingDataset;
  /** Batch size with `x`/`y` (a dataset is batched already). Defaults to 32, as `model.fit`. */
  readonly batchSize?: number;
  /**
   * The log key whose epoch value is the measured `loss` (the value the band is on): `loss`, or a
   * metric such as `mse`. Must be a key the model logs. `valLoss` is `val_<lossKey>`. Defaults to `'loss'`.
   */
  readonly lossKey?: string;
  /**
   * What σ is measured in, as the CLI's `noise.scale` (see {@link NoiseScaleOptions}): `feature`
   * by default when `x` is not standardised, else `absolute` (always with a dataset, unless
   * `featureStd` is given).
   */
  readonly noise?: NoiseScaleOptions;
  /**
   * The measured `loss`: `'fixed-draw'` (one forward pass over `x`, `y` after the epoch, with the
   * same seeded noise every epoch: see {@link fixedDrawLoss}) or `'fit'` (the epoch's mean as
   * `fit` logs it). Defaults to `'fixed-draw'` with `x` and `y`, `'fit'` with a dataset.
   */
  readonly measure?: LossMeasure;
  /**
   * Rows of `x`, `y` the fixed-draw measure takes: a fixed random sample of this many (all of
   * them when there are fewer; see {@link fixedDrawSample}). Defaults to 4096.
   */
  readonly measureRows?: number;
  /** Shuffle `x`/`y` before each epoch. Defaults to `true`, as `model.fit`. */
  readonly shuffle?: boolean;
  /** Clock for `durationMs`, in ms. Defaults to `performance.now`. */
  readonly now?: () => number;
}

const ACCURACY_KEYS = [
  'val_acc',
  'val_accuracy',
  'val_categoricalAccuracy',
  'val_sparseCategoricalAccuracy',
  'val_binaryAccuracy',
];

function isDataset(v: unknown): v is TrainingDataset {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { iterator?: unknown }).iterator === 'function'
  );
}

/**
 * A user's own compiled `tf.LayersModel` as a {@link Plant} for `train()`: each `step` sets σ on
 * every `controlledNoise` layer and trains one epoch with `model.fit` (or `model.fitDataset`).
 *
 * The measured `loss` is, with `x` and `y`, the loss after the epoch at the current σ with a
 * fixed seeded noise draw ({@link fixedDrawLoss}); with a dataset (or `measure: 'fit'`) what tfjs
 * logs for the epoch: the mean over its batches of each batch's loss, each taken just before
 * that batch's optimiser step, with fresh noise. σ is the only actuation a
 * layer can apply: `draws` (K copies) does not apply, since the layer sees each batch once,
 * and a flooding level is refused. `nonFinite` is set from the loss alone.
 *
 * @example
 * const plant = new TfjsModelPlant({ model, x, y, validationData: [xTest, yTest] });
 * train({ run: 'mine', epochs: 100, plant: () => plant, actuator: () => new LoopActuator({ band, draws: 1 }) })
 *   .subscribe((e) => console.log(e.epoch, e.loss, e.sigma));
 */
export class TfjsModelPlant implements Plant {
  private readonly model: tf.LayersModel;
  private readonly fit: () => Promise<tf.History>;
  private readonly lossKey: string;
  private readonly now: () => number;
  private disposed = false;
  private readonly disposeSample: () => void;
  private readonly measureFixed: (() => number) | undefined;

  constructor(options: TfjsModelPlantOptions) {
    const { model, x, y, dataset } = options;
    if (!model || typeof (model as { fit?: unknown }).fit !== 'function')
      throw new UserError('TfjsModelPlant: model must be a tf.LayersModel');
    const tensors = x !== undefined || y !== undefined;
    if (tensors === (dataset !== undefined)) throw new UserError('TfjsModelPlant: give either x and y, or dataset');
    if (tensors && (x === undefined || y === undefined))
      throw new UserError(`TfjsModelPlant: ${x === undefined ? 'x' : 'y'} is missing`);
    if (dataset !== undefined && !isDataset(dataset))
      throw new UserError('TfjsModelPlant: dataset must be a tf.data.Dataset');
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new UserError(`TfjsModelPlant: batchSize must be a positive integer, got ${batchSize}`);
    this.lossKey = options.lossKey ?? 'loss';
    requireLoggedKey(model, this.lossKey, options.validationData !== undefined, 'TfjsModelPlant: lossKey');
    requireNoiseLayers(model);
    requireGradientKernels(model, 'TfjsModelPlant');
    const measure = options.measure ?? (tensors && !this.lossKey.startsWith('val_') ? 'fixed-draw' : 'fit');
    if (measure !== 'fixed-draw' && measure !== 'fit')
      throw new UserError(`TfjsModelPlant: measure: expected 'fixed-draw' or 'fit', got ${JSON.stringify(measure)}`);
    if (measure === 'fixed-draw' && !tensors)
      throw new UserError("TfjsModelPlant: measure 'fixed-draw': needs x and y (a dataset is measured as fit logs it)");
    const scale = resolveFeatureScale(options.noise, Array.isArray(x) ? x[0] : x, 'TfjsModelPlant');
    if (scale)
      applyFeatureScale(
        model,
        scale,
        options.noise?.scale !== undefined || options.noise?.featureStd !== undefined,
        'TfjsModelPlant',
      );
    const rows = measureRowsOf(options.measureRows, 'TfjsModelPlant');
    const sample = measure === 'fixed-draw' ? fixedDrawSample(x as tf.Tensor, y as tf.Tensor, rows) : undefined;
    this.disposeSample = () => sample?.dispose();
    this.measureFixed = sample ? () => fixedDrawLoss(model, sample.x, sample.y, { key: this.lossKey }) : undefined;
    this.model = model;
    const validationData = options.validationData;
    if (tensors) {
      if (isDataset(validationData))
        throw new UserError('TfjsModelPlant: validationData must be [x, y] tensors when training on x and y');
      const args: tf.ModelFitArgs = { epochs: 1, verbose: 0, batchSize, shuffle: options.shuffle ?? true };
      if (validationData !== undefined) args.validationData = validationData;
      this.fit = () => model.fit(x as tf.Tensor, y as tf.Tensor, args);
    } else {
      const args: tf.ModelFitDatasetArgs<unknown> = { epochs: 1, verbose: 0 };
      if (validationData !== undefined) args.validationData = validationData;
      this.fit = () => model.fitDataset(dataset as TrainingDataset, args);
    }
    this.now = options.now ?? (() => performance.now());
  }

  async step(actuation: Actuation): Promise<EpochMeasurement> {
    if (this.disposed) throw new Error('TfjsModelPlant: step after dispose');
    if (actuation.floodLevel !== undefined) {
      throw new UserError(
        'TfjsModelPlant: a flooding level cannot apply to a model trained by model.fit; use a pid, hysteresis or fixed controller',
      );
    }
    setSigma(this.model, actuation.sigma);
    const t0 = this.now();
    const history = await this.fit();
    const logs = history.history as Logs;
    const last = (key: string): number | undefined => logs[key]?.[logs[key].length - 1];
    const logged = last(this.lossKey) ?? Number.NaN;
    const loss = this.measureFixed && Number.isFinite(logged) ? this.measureFixed() : logged;
    const durationMs = this.now() - t0;
    const valAccuracy = ACCURACY_KEYS.map(last).find((v) => v !== undefined) ?? Number.NaN;
    return {
      loss,
      valLoss: last(`val_${this.lossKey}`) ?? Number.NaN,
      valAccuracy,
      durationMs,
      nonFinite: !Number.isFinite(loss),
    };
  }

  /** The model's weights and optimiser state, for a checkpoint (see {@link exportModelState}). */
  exportState(): Promise<ModelState> {
    return exportModelState(this.model);
  }

  /** Continues from a checkpoint of the same architecture (see {@link restoreModelState}). */
  restoreState(state: ModelState): Promise<void> {
    return restoreModelState(this.model, state);
  }

  /** Frees what the plant created (the fixed-draw sample of `x`, `y`): the model and the data stay the caller's. Idempotent. */
  dispose(): void {
    if (!this.disposed) this.disposeSample();
    this.disposed = true;
  }
}
