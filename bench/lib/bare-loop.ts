import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import type { Split } from '../../src/data/dataset.js';
import { dense } from '../../src/engines/tfjs/dense.js';

/** How the baseline builds its dense layers: stock `tf.fused.matMul`, or lossband's transposed-gradient `dense` (src/model/dense.ts). */
export type DenseKind = 'stock' | 'transposed';

/**
 * The baseline: the same epoch as lossband's TfjsPlant (host Box–Muller σ-noise, one upload,
 * Adam minimize on the full batch, a validation forward pass, one dataSync) written as a
 * plain tfjs loop with no stream, controller, events, metrics or server around it.
 */
export class BareLoop {
  private readonly vars: tf.Variable[] = [];
  private readonly opt: tf.Optimizer;
  private readonly xHost: Float32Array;
  private readonly noisy: Float32Array;
  private readonly yTrain: tf.Tensor2D;
  private readonly xVal: tf.Tensor2D;
  private readonly yVal: tf.Tensor2D;
  private readonly yValIdx: tf.Tensor1D;
  private readonly rows: number;
  private readonly features: number;
  private readonly rng: () => number;

  constructor(
    split: Split,
    hidden: readonly number[],
    seed = '0',
    private readonly dense: DenseKind = 'stock',
  ) {
    const { train, test } = split;
    const classes = train.classNames.length;
    const widths = [train.features, ...hidden, classes];
    const init = seedrandom.alea(`${seed}:init`);
    for (let l = 0; l + 1 < widths.length; l++) {
      const fanIn = widths[l] as number;
      const fanOut = widths[l + 1] as number;
      const bound = 1 / Math.sqrt(fanIn);
      const u = (n: number): Float32Array => Float32Array.from({ length: n }, () => (2 * init() - 1) * bound);
      this.vars.push(tf.variable(tf.tensor2d(u(fanIn * fanOut), [fanIn, fanOut])), tf.variable(tf.tensor1d(u(fanOut))));
    }
    this.opt = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    this.rows = train.rows;
    this.features = train.features;
    this.xHost = train.x;
    this.noisy = new Float32Array(train.x.length);
    this.rng = seedrandom.alea(`${seed}:noise`);
    this.yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(train.y, 'int32'), classes).toFloat() as tf.Tensor2D);
    this.xVal = tf.tensor2d(test.x, [test.rows, test.features]);
    this.yValIdx = tf.tensor1d(test.y, 'int32');
    this.yVal = tf.tidy(() => tf.oneHot(this.yValIdx, classes).toFloat() as tf.Tensor2D);
  }

  private forward(x: tf.Tensor2D): tf.Tensor2D {
    const layers = this.vars.length / 2;
    let h = x;
    for (let l = 0; l < layers; l++) {
      const w = this.vars[2 * l] as tf.Tensor2D;
      const b = this.vars[2 * l + 1] as tf.Tensor1D;
      const relu = l + 1 < layers;
      h =
        this.dense === 'transposed'
          ? dense(h, w, b, { relu, inputGrad: l > 0 })
          : (tf.fused.matMul({ a: h, b: w, bias: b, activation: relu ? 'relu' : 'linear' }) as tf.Tensor2D);
    }
    return h;
  }

  /** Adds σ·N(0,1) to every training value (Box–Muller, two samples per pair of uniforms). */
  private addNoise(sigma: number): void {
    const x = this.xHost;
    const out = this.noisy;
    const rng = this.rng;
    for (let i = 0; i < out.length; i += 2) {
      let u = rng();
      while (u === 0) u = rng();
      const r = sigma * Math.sqrt(-2 * Math.log(u));
      const t = 2 * Math.PI * rng();
      out[i] = (x[i] as number) + r * Math.cos(t);
      if (i + 1 < out.length) out[i + 1] = (x[i + 1] as number) + r * Math.sin(t);
    }
  }

  /** One epoch; returns [train loss, val loss, val accuracy]. */
  step(sigma: number): Float32Array {
    this.addNoise(sigma);
    const readings = tf.tidy(() => {
      const x = tf.tensor2d(this.noisy, [this.rows, this.features]);
      const loss = this.opt.minimize(
        () => tf.losses.softmaxCrossEntropy(this.yTrain, this.forward(x)) as tf.Scalar,
        true,
        this.vars,
      ) as tf.Scalar;
      const logits = this.forward(this.xVal);
      const valLoss = tf.losses.softmaxCrossEntropy(this.yVal, logits);
      const acc = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), this.yValIdx), 'float32'));
      return tf.stack([loss, valLoss, acc]);
    });
    const values = readings.dataSync() as Float32Array;
    readings.dispose();
    return values;
  }

  /** Trains `epochs` epochs in a tight loop; returns ms per epoch. */
  run(epochs: number, sigma = 0.1): number {
    const t0 = performance.now();
    for (let e = 0; e < epochs; e++) this.step(sigma);
    return (performance.now() - t0) / epochs;
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
    this.opt.dispose();
    for (const t of [this.yTrain, this.xVal, this.yVal, this.yValIdx]) t.dispose();
  }
}
