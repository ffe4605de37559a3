import * as tf from '@tensorflow/tfjs';
import type { Actuation } from '../../core/actuation.js';
import { buildMlp, type Mlp } from './mlp.js';
import { resolvePlantOptions, type PlantOptions } from '../plant-options.js';
import type { EpochMeasurement } from '../../core/epoch-measurement.js';
import { Gaussian } from '../noise/gaussian.js';
import { NoiseSource } from '../noise/noise-source.js';
import { NoisyBatch } from '../noise/noisy-batch.js';
import { noiseFeatureScale } from '../noise/noise-scale.js';
import { BatchLabels } from './batch-labels.js';
import { yieldToEventLoop } from '../time-slice.js';
import type { EpochOptions, TrainablePlant } from '../trainable-plant.js';
import { decodeFloats, encodeFloats, type PlantState } from '../plant-state.js';

/** The parts of tfjs's Adam that its public API cannot save exactly (β powers are recomputed with `pow`). */
interface AdamInternals {
  accumulatedFirstMoment: { variable: tf.Variable }[];
  accumulatedSecondMoment: { variable: tf.Variable }[];
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  iterations_: number;
}

/** One epoch in progress (see {@link TfjsPlant.stepSliced}). */
interface TfjsEpoch {
  readonly start: number;
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
  readonly ownsLabels: boolean;
  readonly clean: tf.Scalar | undefined;
  lossSum: tf.Scalar;
  readonly rows: number;
  readonly features: number;
  readonly size: number;
  begin: number;
  readonly flood: number | undefined;
  readonly sliceMs: number;
}

/** Options of {@link TfjsPlant}: the engine contract's {@link PlantOptions}. */
export type TfjsPlantOptions = PlantOptions;

function crossEntropy(labels: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

/**
 * Trains an MLP on a split with TensorFlow.js, one epoch per {@link step}: σ-noise on the
 * training inputs (K draws batched into one tensor), an optimiser step per batch, then a
 * noise-free evaluation of the held-out split. Everything it reports is read back from the
 * device in a single transfer per epoch.
 *
 * @example
 * const plant = new TfjsPlant({ split: irisSeedSplit(), seed: '0' });
 * plant.step({ sigma: 0.1, draws: 1 }).loss; // ≈ 1.2 on the first epoch
 */
export class TfjsPlant implements TrainablePlant {
  readonly mlp: Mlp;
  readonly optimizer: tf.Optimizer;
  private readonly noise: NoisyBatch;
  private readonly labels: BatchLabels;
  private readonly xVal: tf.Tensor2D;
  private readonly yVal: tf.Tensor2D;
  private readonly yValIndex: tf.Tensor1D;
  private readonly xTrain: tf.Tensor2D | undefined;
  private readonly yTrain: tf.Tensor2D | undefined;
  private readonly batchSize: number | null;
  private readonly now: () => number;
  private readonly gaussian: NoiseSource;
  private readonly optimizerType: 'adam' | 'sgd';
  private disposed = false;

  constructor(options: TfjsPlantOptions) {
    const o = resolvePlantOptions(options);
    const { train, test } = o.split;
    const seed = o.seed;
    const classes = train.classNames.length;
    this.mlp = buildMlp({ inputs: train.features, hidden: o.hidden, outputs: classes, seed });
    const lr = o.learningRate;
    this.optimizerType = o.optimizer;
    this.optimizer = this.optimizerType === 'sgd' ? tf.train.sgd(lr) : tf.train.adam(lr, 0.9, 0.999, 1e-8);
    this.batchSize = o.batchSize;
    this.now = o.now;
    // Large batches get their noise prefetched on a worker thread while the epoch trains.
    this.gaussian = new NoiseSource(new Gaussian(`${seed}:noise`));
    this.noise = new NoisyBatch(train, this.gaussian, {
      featureScale: noiseFeatureScale(train, o.noiseScale),
      antithetic: o.antithetic,
    });
    this.labels = new BatchLabels(train);
    this.xVal = tf.tensor2d(test.x, [test.rows, test.features]);
    this.yValIndex = tf.tensor1d(test.y, 'int32');
    this.yVal = tf.tidy(() => tf.oneHot(this.yValIndex, classes).toFloat() as tf.Tensor2D);
    if (o.measureClean) {
      this.xTrain = tf.tensor2d(train.x, [train.rows, train.features]);
      this.yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(train.y, 'int32'), classes).toFloat() as tf.Tensor2D);
    }
  }

  get parameters(): number {
    return this.mlp.parameters;
  }

  step(actuation: Actuation): EpochMeasurement {
    return this.stepSliced(actuation, {}) as EpochMeasurement;
  }

  /**
   * The epoch in slices: each batch is its own `tf.tidy`, so the tensors an epoch carries
   * across a yield (inputs, labels, the loss sum, the clean loss) are kept explicitly and
   * freed in {@link finish}. The kernels and their order are those of an unsliced epoch.
   */
  stepSliced(actuation: Actuation, options: EpochOptions): EpochMeasurement | Promise<EpochMeasurement> {
    const start = this.now();
    const batch = this.noise.next(actuation.sigma, actuation.draws, this.batchSize !== null);
    const clean =
      this.xTrain && this.yTrain && options.clean !== false
        ? tf.tidy(() => crossEntropy(this.yTrain as tf.Tensor2D, this.mlp.forward(this.xTrain as tf.Tensor2D)))
        : undefined;
    const x = tf.tensor2d(batch.x, [batch.rows, batch.features]);
    // Shuffled batches get new labels each epoch (ours to free); in-order ones are cached by `labels`.
    const y = this.labels.of(batch);
    const e: TfjsEpoch = {
      start,
      x,
      y,
      ownsLabels: batch.order !== null,
      clean,
      lossSum: tf.scalar(0),
      rows: batch.rows,
      features: batch.features,
      size: this.batchSize ?? batch.rows,
      begin: 0,
      flood: actuation.floodLevel,
      sliceMs: options.sliceMs ?? Infinity,
    };
    if (this.trainSlice(e)) return this.trainRest(e);
    return this.finish(e);
  }

  /** Trains batches from `e.begin` until the epoch is done or its slice has run out; true when it ran out. */
  private trainSlice(e: TfjsEpoch): boolean {
    const sliceStart = e.sliceMs === Infinity ? 0 : performance.now();
    while (e.begin < e.rows) {
      const begin = e.begin;
      const n = Math.min(e.size, e.rows - begin);
      let kept: tf.Scalar | undefined;
      const sum = tf.tidy(() => {
        const xb = n === e.rows ? e.x : e.x.slice([begin, 0], [n, e.features]);
        const yb = n === e.rows ? e.y : e.y.slice([begin, 0], [n, e.y.shape[1]]);
        const loss = this.minimize(xb, yb, e.flood);
        // With flooding, minimize() keeps the raw loss out of every tidy: ours to free.
        if (e.flood !== undefined) kept = loss;
        return tf.add(e.lossSum, tf.mul(loss, n)) as tf.Scalar;
      });
      kept?.dispose();
      e.lossSum.dispose();
      e.lossSum = sum;
      e.begin = begin + n;
      if (e.sliceMs !== Infinity && performance.now() - sliceStart >= e.sliceMs) return true;
    }
    return false;
  }

  /** The rest of a sliced epoch: one slice per turn of the event loop. */
  private async trainRest(e: TfjsEpoch): Promise<EpochMeasurement> {
    try {
      let ranOut = true;
      while (e.begin < e.rows) {
        await yieldToEventLoop();
        if (this.disposed) throw new Error('TfjsPlant: disposed during an epoch');
        ranOut = this.trainSlice(e);
      }
      if (ranOut) await yieldToEventLoop();
      if (this.disposed) throw new Error('TfjsPlant: disposed during an epoch');
    } catch (err) {
      this.release(e);
      throw err;
    }
    return this.finish(e);
  }

  /** Evaluates the held-out split, reads everything back in one transfer and frees the epoch's tensors. */
  private finish(e: TfjsEpoch): EpochMeasurement {
    const readings = tf.tidy(() => {
      const logits = this.mlp.forward(this.xVal);
      const valLoss = crossEntropy(this.yVal, logits);
      const correct = tf.equal(tf.argMax(logits, 1), this.yValIndex);
      const valAccuracy = tf.mean(tf.cast(correct, 'float32'));
      const parts = [tf.div(e.lossSum, e.rows), valLoss, valAccuracy];
      if (e.clean) parts.push(e.clean);
      return tf.stack(parts);
    });
    this.release(e);
    const values = readings.dataSync();
    readings.dispose();
    const loss = values[0] as number;
    const valLoss = values[1] as number;
    const cleanLoss = values[3];
    return {
      loss,
      cleanLoss,
      valLoss,
      valAccuracy: values[2] as number,
      durationMs: this.now() - e.start,
      nonFinite: !Number.isFinite(loss) || !Number.isFinite(valLoss),
    };
  }

  private release(e: TfjsEpoch): void {
    e.x.dispose();
    if (e.ownsLabels) e.y.dispose();
    e.lossSum.dispose();
    e.clean?.dispose();
  }

  /** Weights, optimiser state and noise stream, read synchronously at an epoch boundary. */
  exportState(): PlantState {
    const read = (v: tf.Variable): string => encodeFloats(v.dataSync() as Float32Array);
    const optimizer: PlantState['optimizer'] =
      this.optimizerType === 'adam'
        ? (() => {
            const adam = this.optimizer as unknown as AdamInternals;
            return {
              type: 'adam' as const,
              iterations: adam.iterations_,
              m: adam.accumulatedFirstMoment.map((x) => read(x.variable)),
              v: adam.accumulatedSecondMoment.map((x) => read(x.variable)),
              accBeta1: adam.accBeta1.dataSync()[0] as number,
              accBeta2: adam.accBeta2.dataSync()[0] as number,
            };
          })()
        : { type: 'sgd' as const, iterations: this.optimizer.iterations };
    return { weights: this.mlp.variables.map(read), optimizer, noise: this.gaussian.state() };
  }

  /**
   * Restores what {@link exportState} saved into this freshly built plant (same data, model
   * and optimiser type). The learning rate stays this plant's own, so a rollback can lower it.
   */
  async restoreState(state: PlantState): Promise<void> {
    const vars = this.mlp.variables;
    if (state.weights.length !== vars.length || state.optimizer.type !== this.optimizerType) {
      throw new RangeError('checkpoint does not match this model');
    }
    tf.tidy(() =>
      vars.forEach((v, i) => v.assign(tf.tensor(decodeFloats(state.weights[i] as string, v.size), v.shape))),
    );
    this.gaussian.restore(state.noise);
    const adam = this.optimizer as unknown as AdamInternals;
    if (state.optimizer.type === 'sgd') {
      adam.iterations_ = state.optimizer.iterations;
      return;
    }
    const { m = [], v = [] } = state.optimizer;
    const named = [...m, ...v].map((encoded, i) => {
      const like = vars[i % vars.length] as tf.Variable;
      return {
        name: `${like.name}/${i < m.length ? 'm' : 'v'}`,
        tensor: tf.tensor(decodeFloats(encoded, like.size), like.shape),
      };
    });
    const iter = tf.scalar(state.optimizer.iterations, 'int32');
    await this.optimizer.setWeights([{ name: 'iter', tensor: iter }, ...named]);
    for (const t of [iter, ...named.map((n) => n.tensor)]) t.dispose();
    tf.tidy(() => {
      adam.accBeta1.assign(tf.scalar(state.optimizer.accBeta1 ?? 0.9));
      adam.accBeta2.assign(tf.scalar(state.optimizer.accBeta2 ?? 0.999));
    });
  }

  /** One optimiser step; returns the plain (un-flooded) loss of the forward pass it took. */
  private minimize(x: tf.Tensor2D, y: tf.Tensor2D, flood: number | undefined): tf.Scalar {
    const vars = this.mlp.variables as tf.Variable[];
    if (flood === undefined) {
      return this.optimizer.minimize(() => crossEntropy(y, this.mlp.forward(x)), true, vars) as tf.Scalar;
    }
    let raw: tf.Scalar | undefined;
    this.optimizer.minimize(
      () => {
        const loss = crossEntropy(y, this.mlp.forward(x));
        raw = tf.keep(loss);
        return tf.add(tf.abs(tf.sub(loss, flood)), flood);
      },
      false,
      vars,
    );
    return raw as tf.Scalar;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.mlp.dispose();
    this.optimizer.dispose();
    this.labels.dispose();
    this.gaussian.dispose();
    for (const t of [this.xVal, this.yVal, this.yValIndex, this.xTrain, this.yTrain]) t?.dispose();
  }
}
