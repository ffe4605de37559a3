import * as tf from '@tensorflow/tfjs';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/user-error.js';
import { LoopActuator } from '../../src/control/loop-actuator.js';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { train } from '../../src/train/train.js';
import { controlledNoise } from '../../src/tfjs/controlled-noise.js';
import { noiseLayers } from '../../src/tfjs/noise-layers.js';
import { TfjsModelPlant } from '../../src/tfjs/tfjs-model-plant.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const N = 4096;
const x = tf.randomNormal([N, 1]);
afterAll(() => x.dispose());

/**
 * A plant whose loss is known: noise → dense(1) fixed at the identity (SGD with rate 0), MSE
 * loss on y = x. The training loss is the mean of N squared N(0, σ²) draws, so σ² within
 * five standard errors (σ²·5·sqrt(2/N)); the validation loss (no noise) is exactly 0.
 */
function identityModel(metrics: string[] = []): tf.Sequential {
  const model = tf.sequential({
    layers: [
      controlledNoise({ inputShape: [1] }),
      tf.layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError', metrics });
  return model;
}

function expectLossOfSigma(loss: number, sigma: number): void {
  const s2 = sigma * sigma;
  expect(Math.abs(loss - s2)).toBeLessThanOrEqual(5 * s2 * Math.sqrt(2 / N) + 1e-7);
}

describe('TfjsModelPlant', () => {
  it('sets σ on every noise layer and measures the epoch: loss, val loss, duration', async () => {
    const model = identityModel(['mse']);
    let clock = 1000;
    const plant = new TfjsModelPlant({
      model,
      x,
      y: x,
      batchSize: 512,
      validationData: [x, x],
      now: () => (clock += 250),
    });
    for (const sigma of [0.5, 0, 2]) {
      const m = await plant.step({ sigma, draws: 1 });
      expect(noiseLayers(model)[0]?.sigma).toBe(sigma);
      expectLossOfSigma(m.loss, sigma);
      expect(m.valLoss).toBe(0);
      expect(m.valAccuracy).toBeNaN();
      expect(m.durationMs).toBe(250);
      expect(m.nonFinite).toBe(false);
    }
    plant.dispose();
    plant.dispose();
    await expect(plant.step({ sigma: 0, draws: 1 })).rejects.toThrow('step after dispose');
    expect(model.layers).toHaveLength(2); // the model is still the caller's
    model.dispose();
  });

  it('reads a metric as the loss with lossKey, and val accuracy from val_acc', async () => {
    const model = tf.sequential({
      layers: [controlledNoise({ inputShape: [2] }), tf.layers.dense({ units: 2, activation: 'softmax' })],
    });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy', 'mse'] });
    const xs = tf.randomNormal([64, 2]);
    const ys = tf.tidy(() => tf.oneHot(tf.cast(tf.greater(xs.slice([0, 0], [64, 1]).reshape([64]), 0), 'int32'), 2));
    const plant = new TfjsModelPlant({ model, x: xs, y: ys, validationData: [xs, ys], lossKey: 'mse' });
    const m = await plant.step({ sigma: 0.1, draws: 1 });
    expect(m.loss).toBeGreaterThan(0);
    expect(m.loss).toBeLessThan(1); // an MSE of probabilities, not a cross-entropy
    expect(m.valLoss).toBeGreaterThan(0);
    expect(m.valAccuracy).toBeGreaterThanOrEqual(0);
    expect(m.valAccuracy).toBeLessThanOrEqual(1);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('trains on a tf.data.Dataset with fitDataset', async () => {
    const model = identityModel();
    const xs = tf.data.array(x.unstack());
    const dataset = tf.data.zip({ xs, ys: xs }).batch(1024);
    const plant = new TfjsModelPlant({ model, dataset, validationData: dataset });
    const m = await plant.step({ sigma: 1.5, draws: 1 });
    expectLossOfSigma(m.loss, 1.5);
    expect(m.valLoss).toBe(0);
    model.dispose();
  });

  it('refuses bad input in one line naming the option', async () => {
    const plain = tf.sequential({ name: 'plain', layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
    plain.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const uncompiled = tf.sequential({ name: 'raw', layers: [controlledNoise({ inputShape: [1] })] });
    const model = identityModel();
    const cases: [() => unknown, string][] = [
      [() => new TfjsModelPlant({ model: plain, x, y: x }), 'model "plain" has no controlledNoise layer'],
      [() => new TfjsModelPlant({ model: uncompiled, x, y: x }), 'model "raw" is not compiled'],
      [
        () => new TfjsModelPlant({ model, x, y: x, lossKey: 'val_loss' }),
        'TfjsModelPlant: lossKey "val_loss": the model logs only loss (no validation data)',
      ],
      [
        () => new TfjsModelPlant({ model, x, y: x, lossKey: 'mae', validationData: [x, x] }),
        'TfjsModelPlant: lossKey "mae": the model logs only loss, val_loss',
      ],
      [() => new TfjsModelPlant({ model, x }), 'TfjsModelPlant: y is missing'],
      [() => new TfjsModelPlant({ model }), 'TfjsModelPlant: give either x and y, or dataset'],
      [
        () => new TfjsModelPlant({ model, x, y: x, batchSize: 0 }),
        'TfjsModelPlant: batchSize must be a positive integer, got 0',
      ],
      [
        () => new TfjsModelPlant({ model, x, y: x, validationData: tf.data.array([1]) }),
        'validationData must be [x, y] tensors',
      ],
    ];
    for (const [make, message] of cases) {
      expect(make).toThrow(UserError);
      expect(make).toThrow(message);
    }
    const plant = new TfjsModelPlant({ model, x, y: x });
    await expect(plant.step({ sigma: 0, draws: 1, floodLevel: 0.1 })).rejects.toThrow('a flooding level cannot apply');
    for (const m of [plain, uncompiled, model]) m.dispose();
  });

  it('continues from exportState/restoreState in a fresh model', async () => {
    const model = identityModel();
    const plant = new TfjsModelPlant({ model, x, y: x });
    await plant.step({ sigma: 0.3, draws: 1 });
    const state = await plant.exportState();
    expect(state.optimizer?.iterations).toBe(N / 32);
    const other = identityModel();
    await new TfjsModelPlant({ model: other, x, y: x }).restoreState(state);
    expect(other.optimizer.iterations).toBe(N / 32);
    expect(noiseLayers(other)[0]?.sigma).toBe(Math.fround(0.3));
    model.dispose();
    other.dispose();
  });

  it('under train() and a LoopActuator, each epoch applies the σ the loop chose, and the loss is brought into the band', async () => {
    // loss ≈ σ², so holding [0.8, 1.2] means σ ≈ 1; the loop starts at σ = 0.1 (loss 0.01).
    const model = identityModel();
    const band = { lo: 0.8, hi: 1.2 };
    const events = await lastValueFrom(
      train({
        run: 'plant-test',
        epochs: 40,
        plant: () => new TfjsModelPlant({ model, x, y: x, batchSize: N }),
        actuator: () => new LoopActuator({ band, draws: 1 }),
      }).pipe(toArray()),
    );
    expect(events.map((e) => e.epoch)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const e of events) expectLossOfSigma(e.loss, e.sigma);
    expect(events[0]?.sigma).toBe(0.1);
    const first = events.findIndex((e) => e.inBand);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(30);
    const after = events.slice(first);
    expect(after.filter((e) => e.inBand).length / after.length).toBeGreaterThanOrEqual(0.9);
    expect(events.every((e) => e.draws === 1)).toBe(true);
    model.dispose();
  });
});
