import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { controlledNoise } from '../../src/tfjs/controlled-noise.js';
import { FIXED_DRAW_ROWS, fixedDrawLoss, fixedDrawSample } from '../../src/tfjs/fixed-draw-loss.js';
import { noiseLayers, setSigma } from '../../src/tfjs/noise-layers.js';
import { TfjsModelPlant } from '../../src/tfjs/tfjs-model-plant.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const N = 3000;
const x = tf.randomNormal([N, 1], 0, 1, 'float32', 11);
afterAll(() => x.dispose());

/** noise → a frozen identity, MSE on y = x: the loss is the mean square of the noise alone. */
function identityModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      controlledNoise({ inputShape: [1] }),
      tf.layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError', metrics: ['mae'] });
  return model;
}

describe('fixedDrawLoss', () => {
  it('measures every time against the same noise realisation: the same weights give the same loss', () => {
    const model = identityModel();
    setSigma(model, 0.5);
    const a = fixedDrawLoss(model, x, x);
    const b = fixedDrawLoss(model, x, x);
    expect(b).toBe(a);
    // It is noisy, not clean: about σ² = 0.25 (five standard errors), and a fresh seed draws anew.
    expect(Math.abs(a - 0.25)).toBeLessThan(5 * 0.25 * Math.sqrt(2 / N));
    expect(fixedDrawLoss(model, x, x, { seed: 2 })).not.toBe(a);
    model.dispose();
  });

  it('the same draw at every σ: the loss of the identity model scales exactly with σ²', () => {
    const model = identityModel();
    setSigma(model, 1);
    const one = fixedDrawLoss(model, x, x, { batchSize: 700 });
    setSigma(model, 3);
    const three = fixedDrawLoss(model, x, x, { batchSize: 700 });
    expect(three / one).toBeCloseTo(9, 4);
    setSigma(model, 0);
    expect(fixedDrawLoss(model, x, x)).toBe(0);
    model.dispose();
  });

  it('a fresh draw jitters where the fixed draw does not', async () => {
    const model = identityModel();
    setSigma(model, 1);
    const fresh: number[] = [];
    for (let k = 0; k < 4; k++) {
      const h = await model.fit(x, x, { epochs: 1, batchSize: N, verbose: 0 });
      fresh.push(h.history['loss']?.[0] as number);
    }
    expect(new Set(fresh).size).toBe(4);
    expect(new Set([0, 1, 2, 3].map(() => fixedDrawLoss(model, x, x))).size).toBe(1);
    model.dispose();
  });

  it('returns the metric asked for, leaves inference noise-free, and names a key the model does not log', () => {
    const model = identityModel();
    setSigma(model, 2);
    const mae = fixedDrawLoss(model, x, x, { key: 'mae' });
    // E|N(0, 4)| = 2·sqrt(2/π) ≈ 1.596.
    expect(mae).toBeCloseTo(2 * Math.sqrt(2 / Math.PI), 1);
    const out = model.predict(x) as tf.Tensor;
    expect(out.dataSync()).toEqual(x.dataSync());
    out.dispose();
    expect(() => fixedDrawLoss(model, x, x, { key: 'acc' })).toThrow(/key "acc": the model logs only loss, mae/);
    model.dispose();
  });

  it('computes what evaluate computes under the same fixed draw, for the loss and a metric, over uneven batches', () => {
    const model = identityModel();
    setSigma(model, 0.6);
    const layer = noiseLayers(model)[0];
    const viaEvaluate = layer?.withFixedDraw(3, () => model.evaluate(x, x, { batchSize: 1024 })) as tf.Scalar[];
    const [loss, mae] = viaEvaluate.map((t) => t.dataSync()[0] as number);
    // 3000 rows: batches of 1024, 1024 and 952.
    expect(fixedDrawLoss(model, x, x, { seed: 3 })).toBeCloseTo(loss as number, 6);
    expect(fixedDrawLoss(model, x, x, { seed: 3, key: 'mae' })).toBeCloseTo(mae as number, 6);
    tf.dispose(viaEvaluate);
    model.dispose();
  });

  it("keeps each batch's draw for the next pass (no new tensors), at most 16 of them, and frees them with the layer", () => {
    const base = tf.memory().numTensors;
    const model = identityModel();
    const withModel = tf.memory().numTensors;
    setSigma(model, 0.4);
    const first = fixedDrawLoss(model, x, x);
    const kept = tf.memory().numTensors;
    expect(kept).toBe(withModel + 3); // three batches' draws
    expect(fixedDrawLoss(model, x, x)).toBe(first);
    expect(tf.memory().numTensors).toBe(kept);
    // 20 more shapes: the layer drops what it kept when it reaches 16.
    tf.tidy(() => {
      for (let rows = 10; rows < 30; rows++) fixedDrawLoss(model, x.slice(0, rows), x.slice(0, rows));
    });
    const extra = tf.memory().numTensors - withModel;
    expect(extra).toBeGreaterThan(0);
    expect(extra).toBeLessThanOrEqual(16);
    model.optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(base);
  });

  it('TfjsModelPlant measures with it by default: repeated epochs of a frozen model measure the same loss', async () => {
    const model = identityModel();
    const plant = new TfjsModelPlant({ model, x, y: x, batchSize: 1000 });
    const a = await plant.step({ sigma: 0.7, draws: 1 });
    const b = await plant.step({ sigma: 0.7, draws: 1 });
    expect(b.loss).toBe(a.loss);
    const fit = new TfjsModelPlant({ model, x, y: x, batchSize: 1000, measure: 'fit' });
    const c = await fit.step({ sigma: 0.7, draws: 1 });
    const d = await fit.step({ sigma: 0.7, draws: 1 });
    expect(c.loss).not.toBe(d.loss);
    model.dispose();
  });
});

describe('fixedDrawSample', () => {
  const rowsOf = (t: tf.Tensor): number[] => Array.from(t.dataSync());

  it('takes `rows` distinct rows in their order, x and y together, the same rows for the same seed', () => {
    const n = 5000;
    const xs = tf.range(0, n).reshape([n, 1]);
    const ys = tf.range(0, n).mul(2).reshape([n, 1]);
    const a = fixedDrawSample(xs, ys, 300);
    const b = fixedDrawSample(xs, ys, 300);
    const other = fixedDrawSample(xs, ys, 300, 2);
    const picked = rowsOf(a.x as tf.Tensor);
    expect(a.rows).toBe(300);
    expect(picked).toHaveLength(300);
    expect(new Set(picked).size).toBe(300);
    expect(picked).toEqual([...picked].sort((p, q) => p - q));
    expect(picked.every((v) => Number.isInteger(v) && v >= 0 && v < n)).toBe(true);
    expect(rowsOf(a.y as tf.Tensor)).toEqual(picked.map((v) => 2 * v));
    expect(rowsOf(b.x as tf.Tensor)).toEqual(picked);
    expect(rowsOf(other.x as tf.Tensor)).not.toEqual(picked);
    // Spread over the data, not its first rows (data sorted by class would bias those).
    expect(Math.max(...picked)).toBeGreaterThan(n * 0.9);
    for (const s of [a, b, other]) s.dispose();
    tf.dispose([xs, ys]);
  });

  it('is the data itself when it has no more rows than asked (the default: 4096), and frees exactly what it made', () => {
    const small = tf.zeros([FIXED_DRAW_ROWS, 2]);
    const whole = fixedDrawSample(small, small);
    expect(whole.x).toBe(small);
    expect(whole.rows).toBe(FIXED_DRAW_ROWS);
    whole.dispose();
    expect(small.isDisposed).toBe(false);
    const inputs = [tf.zeros([2000, 3]), tf.ones([2000, 1])];
    const labels = tf.zeros([2000, 2]);
    const before = tf.memory().numTensors;
    const cut = fixedDrawSample(inputs, labels, 10);
    expect((cut.x as tf.Tensor[]).map((t) => t.shape)).toEqual([
      [10, 3],
      [10, 1],
    ]);
    expect((cut.y as tf.Tensor).shape).toEqual([10, 2]);
    expect(tf.memory().numTensors).toBe(before + 3);
    cut.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => fixedDrawSample(small, small, 0)).toThrow(/rows must be a whole number >= 1, got 0/);
    tf.dispose([small, ...inputs, labels]);
  });

  it('the measure on a sample is the loss of those rows: equal to the whole data when the sample is all of it', () => {
    const model = identityModel();
    setSigma(model, 0.5);
    const whole = fixedDrawLoss(model, x, x);
    const all = fixedDrawSample(x, x, N);
    expect(fixedDrawLoss(model, all.x, all.y)).toBe(whole);
    const part = fixedDrawSample(x, x, 1000);
    const onPart = fixedDrawLoss(model, part.x, part.y);
    expect(onPart).toBe(fixedDrawLoss(model, part.x, part.y));
    // The same noise law on a third of the rows: close to σ² = 0.25, not the same number.
    expect(onPart).not.toBe(whole);
    expect(Math.abs(onPart - 0.25)).toBeLessThan(0.05);
    part.dispose();
    model.dispose();
  });
});
