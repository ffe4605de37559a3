/**
 * Where example (a)'s epoch loss jitters from, at a fixed σ (no controller): per epoch, fit's
 * logged mean, the fixed-draw loss (fixedDrawLoss's measure, done here by hand), a fresh-draw
 * evaluation and the clean loss; prints each one's epoch-to-epoch jitter (std of differences / √2,
 * epochs 11 on) and the time of the fixed-draw pass against the fit epoch (the measure's cost).
 *
 *   npx tsx bench/tfjs-jitter.ts SEED SIGMA EPOCHS     (README figures: seeds 1, 2; σ 0.34; 40, 50 epochs)
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadDataset, splitDataset } from '../src/index.js';
import { controlledNoise, setSigma, selectBackend } from '../src/tfjs/index.js';
const seed = process.argv[2] ?? '1';
const sigma = Number(process.argv[3] ?? 0.34);
const epochs = Number(process.argv[4] ?? 40);
seedrandom(seed, { global: true });
await selectBackend('cpu');
const split = splitDataset(loadDataset('digits'), { seed, stratify: true });
const x = tf.tensor4d(split.train.x, [split.train.rows, 8, 8, 1]).div(16);
const y = tf.oneHot(tf.tensor1d(split.train.y, 'int32'), 10);
const model = tf.sequential({
  layers: [
    controlledNoise({ inputShape: [8, 8, 1] }),
    tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
setSigma(model, sigma);
const Z = tf.randomNormal(x.shape, 0, 1, 'float32', 123);
const rows: number[][] = [];
let tEval = 0,
  tFit = 0;
for (let e = 0; e < epochs; e++) {
  const t0 = performance.now();
  const h = await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 });
  const t1 = performance.now();
  const ev = (xs: tf.Tensor) => {
    const r = model.evaluate(xs, y, { batchSize: 2048 }) as tf.Scalar[];
    const v = r[0]!.dataSync()[0]!;
    r.forEach((t) => t.dispose());
    return v;
  };
  const crn = tf.tidy(() => ev(x.add(Z.mul(sigma))));
  const t2 = performance.now();
  const fresh = tf.tidy(() => ev(x.add(tf.randomNormal(x.shape).mul(sigma))));
  const clean = ev(x);
  tFit += t1 - t0;
  tEval += t2 - t1;
  rows.push([h.history.loss![0] as number, crn, fresh, clean]);
}
const names = ['fit', 'crn', 'fresh', 'clean'];
const skip = 10;
for (let k = 0; k < 4; k++) {
  const s = rows.slice(skip).map((r) => r[k]!);
  const d = s.slice(1).map((v, i) => v - s[i]!);
  const mean = s.reduce((a, b) => a + b) / s.length;
  const sdDiff = Math.sqrt(d.reduce((a, b) => a + b * b, 0) / d.length / 2);
  console.log(names[k], 'mean', mean.toFixed(4), 'diff-sd/√2', sdDiff.toFixed(4));
}
console.log('fit ms/ep', (tFit / epochs).toFixed(0), 'crn eval ms/ep', (tEval / epochs).toFixed(0));
console.log(JSON.stringify(rows.map((r) => r.map((v) => +v.toFixed(4)))));
