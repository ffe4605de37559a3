/**
 * Regression with a mean-squared-error loss: the band is on the MSE. The model is a user's own
 * `tf.Sequential`; `TfjsModelPlant` makes it a plant for `train()`, which runs one `model.fit`
 * epoch per step under the σ the loop chose. Prints one JSON summary line at the end.
 *
 *   npx tsx examples/regression-mse/main.ts --epochs 80 [--seed 1] [--band 0.2,0.3]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { EMPTY_BAND_STATISTICS, Gaussian, LoopActuator, reduceBandStatistics, train } from 'lossband';
import { controlledNoise, selectBackend, TfjsModelPlant } from 'lossband/tfjs';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '80' },
    seed: { type: 'string', default: '1' },
    band: { type: 'string', default: '0.2,0.3' },
    measure: { type: 'string' }, // 'fit' or 'fixed-draw' (the default with x and y)
  },
});
const epochs = Number(args.epochs);
const [lo = NaN, hi = NaN] = args.band.split(',').map(Number);
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, got ${args.epochs}`);
seedrandom(args.seed, { global: true }); // initial weights, shuffling and the layer's noise
await selectBackend();

/** y = x·w + 0.3·sin(3·x₀) + N(0, 0.05²) over 8 standard-normal features, from a seeded sampler. */
function makeData(rows: number, g: Gaussian, w: Float32Array): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = new Float32Array(rows * 8);
  const eps = new Float32Array(rows);
  g.fill(x);
  g.fill(eps);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0.3 * Math.sin(3 * (x[r * 8] as number)) + 0.05 * (eps[r] as number);
    for (let j = 0; j < 8; j++) s += (x[r * 8 + j] as number) * (w[j] as number);
    y[r] = s;
  }
  return { x: tf.tensor2d(x, [rows, 8]), y: tf.tensor2d(y, [rows, 1]) };
}
const g = new Gaussian(args.seed);
const w = new Float32Array(8);
g.fill(w);
w.forEach((v, j) => (w[j] = 0.5 * v));
const trainSet = makeData(2000, g, w);
const testSet = makeData(500, g, w);

const model = tf.sequential({
  layers: [
    controlledNoise({ inputShape: [8] }),
    tf.layers.dense({ units: 32, activation: 'relu' }),
    tf.layers.dense({ units: 1 }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });

let stats = EMPTY_BAND_STATISTICS;
let valLoss = NaN;
await new Promise<void>((resolve, reject) => {
  train({
    run: 'regression-mse',
    epochs,
    plant: () =>
      new TfjsModelPlant({
        model,
        x: trainSet.x,
        y: trainSet.y,
        validationData: [testSet.x, testSet.y],
        batchSize: 64,
        ...(args.measure ? { measure: args.measure as 'fit' | 'fixed-draw' } : {}),
      }),
    // draws: 1 — a layer sees each batch once, so K noisy copies cannot apply.
    actuator: () => new LoopActuator({ band: { lo, hi }, draws: 1 }),
  }).subscribe({
    next: (e) => {
      stats = reduceBandStatistics(stats, e);
      valLoss = e.valLoss;
      console.log(
        `epoch ${e.epoch} mse ${e.loss.toFixed(4)} sigma ${e.sigma.toFixed(3)}${e.inBand ? ' in band' : ''} val_mse ${e.valLoss.toFixed(4)}`,
      );
    },
    error: reject,
    complete: resolve,
  });
});
console.log(
  JSON.stringify({
    example: 'regression-mse',
    epochs: stats.epochs,
    band: { lo, hi },
    firstInBandEpoch: stats.firstInBandEpoch,
    inBandFraction: stats.inBandFraction,
    lastSigma: stats.lastSigma,
    valLoss,
  }),
);
