/**
 * A small convolutional network on the bundled 8×8 digits, trained with `model.fit`, while a
 * feedback loop holds its training loss in a band by setting the σ of a `controlledNoise` layer
 * after every epoch. Prints one JSON summary line at the end.
 *
 *   npx tsx examples/digits-cnn/main.ts --epochs 60 [--seed 1] [--band 0.25,0.35] [--backend cpu]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { EMPTY_BAND_STATISTICS, LoopActuator, loadDataset, reduceBandStatistics, splitDataset, type BandStatistics, type Dataset } from 'lossband';
import { controlledNoise, selectBackend, setSigma, type BackendName } from 'lossband/tfjs';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    band: { type: 'string', default: '0.25,0.35' },
    // Not wasm: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so it cannot train a conv net.
    backend: { type: 'string', default: 'cpu' },
    batch: { type: 'string', default: '32' },
  },
});
const epochs = Number(args.epochs);
const [lo = NaN, hi = NaN] = args.band.split(',').map(Number);
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, got ${args.epochs}`);

// One seed for everything tfjs draws from Math.random: initial weights, shuffling, the noise.
seedrandom(args.seed, { global: true });
await selectBackend(args.backend as BackendName);

/** Pixels 0..16 → [0, 1], as images [rows, 8, 8, 1]; labels one-hot. */
function tensors(ds: Dataset): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => ({
    x: tf.tensor4d(ds.x, [ds.rows, 8, 8, 1]).div(16) as tf.Tensor4D,
    y: tf.oneHot(tf.tensor1d(ds.y, 'int32'), 10) as tf.Tensor2D,
  }));
}
const split = splitDataset(loadDataset('digits'), { seed: args.seed, stratify: true });
const train = tensors(split.train);
const test = tensors(split.test);

// Small on purpose: tfjs's cpu backend computes conv gradients in plain loops (~1 s an epoch here).
const model = tf.sequential({
  layers: [
    controlledNoise({ inputShape: [8, 8, 1] }),
    tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

/**
 * Monitor → decide → act, once per epoch: the epoch's logged loss goes to the loop, and the σ
 * it answers goes to every controlledNoise layer. (lossband's `bandCallback` does this and more.)
 */
function holdBand(actuator: LoopActuator): { callback: tf.CustomCallback; stats: () => BandStatistics } {
  let stats = EMPTY_BAND_STATISTICS;
  let started = 0;
  const callback = new tf.CustomCallback({
    onTrainBegin: async () => setSigma(model, actuator.actuation.sigma),
    onEpochBegin: async () => {
      started = performance.now();
    },
    onEpochEnd: async (epoch, logs = {}) => {
      const loss = logs['loss'] ?? NaN;
      const measured = { loss, valLoss: logs['val_loss'] ?? NaN, valAccuracy: logs['val_acc'] ?? NaN, durationMs: performance.now() - started, nonFinite: !Number.isFinite(loss) };
      const applied = actuator.actuation;
      const annotation = actuator.observe(measured);
      stats = reduceBandStatistics(stats, { run: 'digits-cnn', epoch: epoch + 1, ...measured, sigma: applied.sigma, draws: 1, ...annotation, timestamp: Date.now() });
      setSigma(model, actuator.actuation.sigma);
      console.log(`epoch ${epoch + 1} loss ${loss.toFixed(4)} sigma ${applied.sigma.toFixed(3)}${annotation.inBand ? ' in band' : ''} val_acc ${measured.valAccuracy.toFixed(3)}`);
    },
  });
  return { callback, stats: () => stats };
}

const hold = holdBand(new LoopActuator({ band: { lo, hi }, draws: 1 }));
const history = await model.fit(train.x, train.y, {
  epochs,
  batchSize: Number(args.batch),
  validationData: [test.x, test.y],
  callbacks: [hold.callback],
  verbose: 0,
});
const stats = hold.stats();
const valAcc = history.history['val_acc'] ?? [];
console.log(JSON.stringify({
  example: 'digits-cnn',
  epochs: stats.epochs,
  band: { lo, hi },
  firstInBandEpoch: stats.firstInBandEpoch,
  inBandFraction: stats.inBandFraction,
  lastSigma: stats.lastSigma,
  valAccuracy: valAcc[valAcc.length - 1],
}));
