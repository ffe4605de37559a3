/**
 * A small convolutional network on the bundled 8×8 digits, trained with `model.fit`, while a
 * feedback loop holds its training loss in a band by setting the σ of a `controlledNoise` layer
 * after every epoch. Prints one JSON summary line at the end.
 *
 *   npx tsx examples/digits-cnn/main.ts --epochs 60 [--seed 1] [--band 0.25,0.35] [--port 9464] [--out runs/x] [--measure fit]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadDataset, splitDataset, type Dataset } from 'lossband';
import { bandCallback, controlledNoise, selectBackend, type BackendName } from 'lossband/tfjs';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    band: { type: 'string', default: '0.25,0.35' },
    // Not wasm: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so it cannot train a conv net.
    backend: { type: 'string', default: 'cpu' },
    batch: { type: 'string', default: '32' },
    out: { type: 'string', default: `runs/digits-cnn-${Date.now()}` },
    port: { type: 'string', default: '0' },
    measure: { type: 'string' }, // 'fit' or 'fixed-draw' (the default with trainingData)
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

// lossband holds the training loss in the band: after every epoch it sets the σ of the
// controlledNoise layer, and it records the run in runs/<run>/ (events, checkpoints, summary, report).
// trainingData: the callback measures the loss it holds with one fixed noise draw over these
// tensors after each epoch (the mean fit logs jitters with fresh noise and moving weights), and
// scales σ by each pixel's std (noise.scale 'feature': the pixels are not standardised).
const cb = bandCallback({
  band: { lo, hi },
  trainingData: [train.x, train.y],
  run: `digits-cnn-${args.seed}`,
  out: args.out,
  port: Number(args.port),
  ...(args.measure ? { measure: args.measure as 'fit' | 'fixed-draw' } : {}),
});
const history = await model.fit(train.x, train.y, {
  epochs,
  batchSize: Number(args.batch),
  validationData: [test.x, test.y],
  callbacks: [
    cb,
    new tf.CustomCallback({
      onEpochEnd: async (e, logs) =>
        console.log(
          `epoch ${e + 1} loss ${cb.run?.lastEvent()?.loss.toFixed(4)} sigma ${lastSigma().toFixed(3)} fit-mean ${logs?.loss?.toFixed(4)}`,
        ),
    }),
  ],
  verbose: 0,
});
/** σ the last finished epoch ran with, from the run's record. */
function lastSigma(): number {
  return cb.run?.lastEvent()?.sigma ?? NaN;
}
const summary = cb.summary;
const valAcc = history.history['val_acc'] ?? [];
console.log(
  JSON.stringify({
    example: 'digits-cnn',
    epochs: summary?.epochs,
    band: { lo, hi },
    firstInBandEpoch: summary?.firstInBandEpoch,
    inBandFraction: summary?.inBandFraction,
    lastSigma: summary?.finalSigma,
    valAccuracy: valAcc[valAcc.length - 1],
    runDir: cb.run?.paths.dir ?? args.out,
  }),
);
