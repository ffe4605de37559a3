import type { Actuation } from '../../core/actuation.js';
import type { Dataset } from '../../data/dataset.js';
import type { EpochMeasurement } from '../../core/epoch-measurement.js';
import { Gaussian } from '../noise/gaussian.js';
import { countCorrect, softmaxCrossEntropy } from './cross-entropy.js';
import { JsMlp, type JsBuffers } from './js-mlp.js';
import { JsOptimizer } from './optimizer.js';
import { NoisyBatch } from '../noise/noisy-batch.js';
import type { EpochOptions, TrainablePlant } from '../trainable-plant.js';
import { decodeFloats, encodeFloats, type PlantState } from '../plant-state.js';
import { resolvePlantOptions, type PlantOptions } from '../plant-options.js';
import { noiseFeatureScale } from '../noise/noise-scale.js';
import { yieldToEventLoop } from '../time-slice.js';

/** Options of {@link JsPlant}: the engine contract's {@link PlantOptions}. */
export type JsPlantOptions = PlantOptions;

/**
 * The {@link TfjsPlant} epoch in plain JavaScript, for models too small to feed a tensor
 * backend: tfjs spends ~150 kernel dispatches (~5 µs each) on an Iris epoch whose arithmetic
 * takes a few µs. Same options, seeded initialisation, noise stream (the same
 * {@link NoisyBatch}), loss definitions, flooding, optimiser rounding and checkpoint format,
 * so the two engines are interchangeable; losses agree to float rounding (summation order),
 * not bit for bit. Allocation-free per epoch: buffers are rebuilt only when the batch's row
 * count (K) changes.
 *
 * Precision: weights, Adam moments and activations are float32 like tfjs'; sums inside the
 * products and the loss run in float64 (free in V8, which computes in doubles anyway), and the
 * optimiser rounds every operation with `Math.fround`, so for the same gradient its step is
 * bit-identical to tfjs'. Speed: cheaper than tfjs-wasm in CPU time while rows per optimiser
 * step × parameters × draws stays under ~10⁶ (`selectEngine`; Iris 4-10-3: 120 × 83 ≈ 10⁴ per
 * draw, ~12× faster); wider models
 * belong on a tensor backend (64-256-3 on 3276 rows: ~5× slower than wasm).
 *
 * @example
 * const plant = new JsPlant({ split: irisSeedSplit(), seed: '0' });
 * plant.step({ sigma: 0.1, draws: 1 }).loss; // ≈ 1.2 on the first epoch
 */
export class JsPlant implements TrainablePlant {
  readonly widths: readonly number[];
  readonly parameters: number;
  private readonly mlp: JsMlp;
  private readonly optimizer: JsOptimizer;
  private readonly gaussian: Gaussian;
  private readonly noise: NoisyBatch;
  private readonly train: Dataset;
  private readonly test: Dataset;
  private readonly classes: number;
  private readonly batchSize: number | null;
  private readonly measureClean: boolean;
  private readonly now: () => number;
  /** Forward-only buffers for the held-out split and the clean training loss. */
  private readonly evaluation: JsBuffers;
  private work: JsBuffers | undefined;
  private labels = new Int32Array(0);
  private accuracy = 0;
  private disposed = false;

  constructor(options: JsPlantOptions) {
    const o = resolvePlantOptions(options);
    const { train, test } = o.split;
    const { seed, batchSize } = o;
    this.train = train;
    this.test = test;
    this.classes = train.classNames.length;
    this.mlp = new JsMlp({ inputs: train.features, hidden: o.hidden, outputs: this.classes, seed });
    this.widths = this.mlp.widths;
    this.parameters = this.mlp.parameters;
    this.optimizer = new JsOptimizer(o.optimizer, o.learningRate, this.parameters);
    this.batchSize = batchSize;
    this.measureClean = o.measureClean;
    this.now = o.now;
    this.gaussian = new Gaussian(`${seed}:noise`);
    this.noise = new NoisyBatch(train, this.gaussian, {
      featureScale: noiseFeatureScale(train, o.noiseScale),
      antithetic: o.antithetic,
    });
    this.evaluation = this.mlp.buffers(Math.max(test.rows, this.measureClean ? train.rows : 0), false);
  }

  step(actuation: Actuation): EpochMeasurement {
    return this.stepSliced(actuation, {}) as EpochMeasurement;
  }

  stepSliced(actuation: Actuation, options: EpochOptions): EpochMeasurement | Promise<EpochMeasurement> {
    const start = this.now();
    const batch = this.noise.next(actuation.sigma, actuation.draws, this.batchSize !== null);
    const cleanLoss = this.measureClean && options.clean !== false ? this.evaluate(this.train) : undefined;
    const rows = batch.rows;
    const size = Math.min(this.batchSize ?? rows, rows);
    if (this.work?.rows !== size) this.work = this.mlp.buffers(size, true);
    const e = this.epoch;
    e.x = batch.x;
    e.labels = this.batchLabels(rows, batch.order);
    e.rows = rows;
    e.size = size;
    e.begin = 0;
    e.lossSum = 0;
    e.flood = actuation.floodLevel;
    e.sliceMs = options.sliceMs ?? Infinity;
    // A slice that ran out also defers the evaluation, the last long stretch of the epoch.
    if (this.trainSlice(e)) return this.trainRest(e, start, cleanLoss);
    return this.finish(e, start, cleanLoss);
  }

  /** The current epoch's progress: one object, reused (the epoch stays allocation-free). */
  private readonly epoch = {
    x: new Float32Array(0) as Float32Array<ArrayBufferLike>,
    labels: new Int32Array(0) as Int32Array<ArrayBufferLike>,
    rows: 0,
    size: 0,
    begin: 0,
    lossSum: 0,
    flood: undefined as number | undefined,
    sliceMs: Infinity,
  };

  /** Trains batches from `e.begin` until the epoch is done or its slice has run out; true when it ran out. */
  private trainSlice(e: JsPlant['epoch']): boolean {
    const work = this.work as JsBuffers;
    const classes = this.classes;
    const features = this.train.features;
    const sliceStart = e.sliceMs === Infinity ? 0 : performance.now();
    while (e.begin < e.rows) {
      const begin = e.begin;
      const n = Math.min(e.size, e.rows - begin);
      const logits = this.mlp.forward(e.x, begin * features, n, work);
      const loss =
        softmaxCrossEntropy(logits, e.labels, begin, n, classes, work.deltas[work.deltas.length - 1] as Float32Array) /
        n;
      // Flooding trains on |L − b| + b, whose gradient is sign(L − b)·∇L; tfjs' abs' is −1 at 0.
      const sign = e.flood === undefined || Math.fround(Math.fround(loss) - Math.fround(e.flood)) > 0 ? 1 : -1;
      this.mlp.backward(e.x, begin * features, n, work, sign / n);
      this.optimizer.step(this.mlp.weights, this.mlp.gradient);
      this.mlp.sync();
      e.lossSum += loss * n;
      e.begin = begin + n;
      if (e.sliceMs !== Infinity && performance.now() - sliceStart >= e.sliceMs) return true;
    }
    return false;
  }

  /** The rest of a sliced epoch: one slice per turn of the event loop. */
  private async trainRest(
    e: JsPlant['epoch'],
    start: number,
    cleanLoss: number | undefined,
  ): Promise<EpochMeasurement> {
    let ranOut = true;
    while (e.begin < e.rows) {
      await yieldToEventLoop();
      if (this.disposed) throw new Error('JsPlant: disposed during an epoch');
      ranOut = this.trainSlice(e);
    }
    if (ranOut) await yieldToEventLoop();
    return this.finish(e, start, cleanLoss);
  }

  /** Evaluates the held-out split and reports the epoch. */
  private finish(e: JsPlant['epoch'], start: number, cleanLoss: number | undefined): EpochMeasurement {
    const loss = e.lossSum / e.rows;
    const valLoss = this.evaluate(this.test);
    return {
      loss,
      cleanLoss,
      valLoss,
      valAccuracy: this.accuracy,
      durationMs: this.now() - start,
      nonFinite: !Number.isFinite(loss) || !Number.isFinite(valLoss),
    };
  }

  /** Weights, optimiser state and noise stream, in {@link TfjsPlant}'s checkpoint format. */
  exportState(): PlantState {
    const opt = this.optimizer;
    const perVariable = (flat: Float32Array): string[] =>
      this.mlp.variables.map((v) => encodeFloats(flat.subarray(v.byteOffset / 4, v.byteOffset / 4 + v.length)));
    const optimizer: PlantState['optimizer'] =
      opt.type === 'adam'
        ? {
            type: 'adam',
            iterations: opt.iterations,
            // tfjs creates its moments at the first step; before it, it saves none.
            m: opt.iterations === 0 ? [] : perVariable(opt.m),
            v: opt.iterations === 0 ? [] : perVariable(opt.v),
            accBeta1: opt.accBeta1,
            accBeta2: opt.accBeta2,
          }
        : { type: 'sgd', iterations: opt.iterations };
    return { weights: this.mlp.variables.map((v) => encodeFloats(v)), optimizer, noise: this.gaussian.state() };
  }

  /**
   * Restores what {@link exportState} (of this engine or {@link TfjsPlant}) saved into this
   * freshly built plant (same data, model and optimiser type). The learning rate stays this
   * plant's own, so a rollback can lower it.
   */
  async restoreState(state: PlantState): Promise<void> {
    const vars = this.mlp.variables;
    const opt = this.optimizer;
    if (state.weights.length !== vars.length || state.optimizer.type !== opt.type) {
      throw new RangeError('checkpoint does not match this model');
    }
    const { m = [], v = [] } = state.optimizer;
    if (opt.type === 'adam' && (m.length !== v.length || (m.length !== 0 && m.length !== vars.length))) {
      throw new RangeError('checkpoint does not match this model');
    }
    // Decode everything before touching anything, so a bad checkpoint leaves the plant as it was.
    const weights = state.weights.map((w, i) => decodeFloats(w, (vars[i] as Float32Array).length));
    const moments = [...m, ...v].map((e, i) => decodeFloats(e, (vars[i % vars.length] as Float32Array).length));
    weights.forEach((w, i) => (vars[i] as Float32Array).set(w));
    this.mlp.sync();
    this.gaussian.restore(state.noise);
    opt.iterations = state.optimizer.iterations;
    if (opt.type === 'adam') {
      opt.m.fill(0);
      opt.v.fill(0);
      moments.forEach((x, i) => {
        const at = (vars[i % vars.length] as Float32Array).byteOffset / 4;
        (i < m.length ? opt.m : opt.v).set(x, at);
      });
      opt.accBeta1 = state.optimizer.accBeta1 ?? Math.fround(0.9 ** (opt.iterations + 1));
      opt.accBeta2 = state.optimizer.accBeta2 ?? Math.fround(0.999 ** (opt.iterations + 1));
    }
  }

  /** Nothing to free but the noise generator's buffers; kept for the {@link Plant} contract. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.work = undefined;
  }

  /** Noise-free mean loss on a whole dataset; its accuracy goes to {@link accuracy}. */
  private evaluate(ds: Dataset): number {
    const logits = this.mlp.forward(ds.x, 0, ds.rows, this.evaluation);
    this.accuracy = countCorrect(logits, ds.y, ds.rows, this.classes) / ds.rows;
    return softmaxCrossEntropy(logits, ds.y, 0, ds.rows, this.classes, null) / ds.rows;
  }

  /** Labels of the batch rows: training row `order[r]` (or r) modulo the row count. */
  private batchLabels(rows: number, order: Int32Array | null): Int32Array {
    if (this.labels.length !== rows) {
      this.labels = new Int32Array(rows);
      if (!order) this.fillLabels(null);
    }
    if (order) this.fillLabels(order);
    return this.labels;
  }

  private fillLabels(order: Int32Array | null): void {
    const { y, rows: n } = this.train;
    const out = this.labels;
    for (let r = 0; r < out.length; r++) out[r] = y[(order ? (order[r] as number) : r) % n] as number;
  }
}
