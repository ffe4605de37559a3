import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { controlledNoise } from '../../src/tfjs/controlled-noise.js';
import { fixedDrawLoss } from '../../src/tfjs/fixed-draw-loss.js';
import { setSigma } from '../../src/tfjs/noise-layers.js';
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
