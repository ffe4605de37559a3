import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actuation } from '../../../src/core/actuation.js';
import { irisSeedSplit } from '../../../src/data/split.js';
import { standardize } from '../../../src/data/standardize.js';
import { selectBackend } from '../../../src/engines/tfjs/backend.js';
import { softmaxCrossEntropy } from '../../../src/engines/js/cross-entropy.js';
import { JsMlp } from '../../../src/engines/js/js-mlp.js';
import { JsOptimizer } from '../../../src/engines/js/optimizer.js';
import { JsPlant, type JsPlantOptions } from '../../../src/engines/js/js-plant.js';
import { decodeFloats, type PlantState } from '../../../src/engines/plant-state.js';
import { TfjsPlant } from '../../../src/engines/tfjs/tfjs-plant.js';

const reference = JSON.parse(
  fs.readFileSync(new URL('../../fixtures/seed_loss_reference.json', import.meta.url), 'utf8'),
) as {
  epochs: number[];
  loss_min: number[];
  loss_max: number[];
};

/** σ, K and (optionally) a flood level that change from epoch to epoch. */
const schedule =
  (flood?: number) =>
  (e: number): Actuation => ({
    sigma: 0.05 * (e % 5),
    draws: 1 + (e % 3),
    floodLevel: flood !== undefined && e >= 100 ? flood : undefined,
  });

function run(plant: JsPlant | TfjsPlant, epochs: number, act: (e: number) => Actuation, from = 0) {
  try {
    return Array.from({ length: epochs }, (_, e) => plant.step(act(from + e)));
  } finally {
    plant.dispose();
  }
}

function maxRelDiff(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - (b[i] as number)) / Math.max(Math.abs(x), 1e-3)));
}

/** A small deterministic generator for test data. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('JsPlant against TfjsPlant', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('starts from buildMlp’s weights and reports the model’s shape', () => {
    const options = { split: irisSeedSplit(), seed: '11', hidden: [7, 5] };
    const host = new JsPlant(options);
    const tfjs = new TfjsPlant(options);
    expect(host.exportState().weights).toEqual(tfjs.exportState().weights);
    expect(host.widths).toEqual([4, 7, 5, 3]);
    expect(host.parameters).toBe(tfjs.mlp.parameters);
    tfjs.dispose();
    host.dispose();
    host.dispose();
  });

  it.each([
    ['adam, full batch', {}],
    ['sgd, full batch', { optimizer: 'sgd', learningRate: 0.05 }],
    ['adam, batches of 40', { batchSize: 40 }],
    ['sgd, batches of 32', { optimizer: 'sgd', learningRate: 0.05, batchSize: 32 }],
  ] as const)('tracks its losses over 300 epochs with K = 1…3 (%s)', (_name, extra) => {
    const options: JsPlantOptions = { split: irisSeedSplit(), seed: '3', measureClean: true, ...extra };
    const host = run(new JsPlant(options), 300, schedule());
    const tfjs = run(new TfjsPlant(options), 300, schedule());
    // Same noise, same init, same optimiser rounding: only summation order differs (observed ≤ 2e-5).
    expect(
      maxRelDiff(
        host.map((m) => m.loss),
        tfjs.map((m) => m.loss),
      ),
    ).toBeLessThan(1e-3);
    expect(
      maxRelDiff(
        host.map((m) => m.valLoss),
        tfjs.map((m) => m.valLoss),
      ),
    ).toBeLessThan(1e-3);
    expect(
      maxRelDiff(
        host.map((m) => m.cleanLoss as number),
        tfjs.map((m) => m.cleanLoss as number),
      ),
    ).toBeLessThan(1e-3);
    const accuracyGaps = host.filter(
      (m, i) => Math.abs(m.valAccuracy - (tfjs[i]?.valAccuracy as number)) > 1e-6,
    ).length;
    expect(accuracyGaps).toBeLessThanOrEqual(3);
  });

  it('agrees with TfjsPlant when σ is scaled per feature (raw cm), and that noise differs from absolute σ', () => {
    const options: JsPlantOptions = { split: irisSeedSplit(), seed: '5', measureClean: true, noiseScale: 'feature' };
    const act = (e: number): Actuation => ({ sigma: 0.3 + 0.1 * (e % 3), draws: 1 + (e % 2) });
    const host = run(new JsPlant(options), 150, act).map((m) => m.loss);
    const tfjs = run(new TfjsPlant(options), 150, act).map((m) => m.loss);
    expect(maxRelDiff(host, tfjs)).toBeLessThan(1e-3);
    const absolute = run(new JsPlant({ ...options, noiseScale: 'absolute' }), 150, act).map((m) => m.loss);
    expect(maxRelDiff(host, absolute)).toBeGreaterThan(1e-2);
  });

  it.each([
    ['adam', {}],
    ['sgd', { optimizer: 'sgd', learningRate: 0.05 }],
  ] as const)('tracks it with flooding on the full batch (%s)', (_name, extra) => {
    const options: JsPlantOptions = { split: irisSeedSplit(), seed: '3', ...extra };
    const host = run(new JsPlant(options), 300, schedule(0.3)).map((m) => m.loss);
    const tfjs = run(new TfjsPlant(options), 300, schedule(0.3)).map((m) => m.loss);
    // Flooding from epoch 100. Once L hovers at b, sign(L − b) amplifies float rounding
    // differences chaotically (1e-5 to 1e-2 by epoch 200 depending on the noise draws), so
    // the engines are compared exactly up to just after the switch and in the mean after it.
    expect(maxRelDiff(host.slice(0, 110), tfjs.slice(0, 110))).toBeLessThan(1e-3);
    const tailGap = host.slice(110).reduce((sum, l, i) => sum + l - (tfjs[110 + i] as number), 0) / 190;
    expect(Math.abs(tailGap)).toBeLessThan(0.01);
  });

  it('holds the loss at the flood level like TfjsPlant with mini-batches (chaotic, so compared in the mean)', () => {
    const options: JsPlantOptions = { split: standardize(irisSeedSplit()).split, seed: '0', batchSize: 30 };
    const act = (): Actuation => ({ sigma: 0, draws: 1, floodLevel: 0.35 });
    const mean = (xs: number[]) => xs.slice(-150).reduce((a, b) => a + b, 0) / 150;
    const host = mean(run(new JsPlant(options), 400, act).map((m) => m.loss));
    const tfjs = mean(run(new TfjsPlant(options), 400, act).map((m) => m.loss));
    expect(Math.abs(host - 0.35)).toBeLessThan(0.05);
    expect(Math.abs(host - tfjs)).toBeLessThan(0.03);
  });

  it('continues a TfjsPlant checkpoint, and TfjsPlant continues a JsPlant one', async () => {
    const options: JsPlantOptions = { split: irisSeedSplit(), seed: '8', batchSize: 32 };
    const act = schedule();
    const tfjs = new TfjsPlant(options);
    for (let e = 0; e < 25; e++) tfjs.step(act(e));
    const fromTfjs = JSON.parse(JSON.stringify(tfjs.exportState())) as PlantState;
    const expected = run(tfjs, 15, act, 25).map((m) => m.loss);
    const host = new JsPlant(options);
    await host.restoreState(fromTfjs);
    expect(
      maxRelDiff(
        run(host, 15, act, 25).map((m) => m.loss),
        expected,
      ),
    ).toBeLessThan(1e-4);

    const source = new JsPlant(options);
    for (let e = 0; e < 25; e++) source.step(act(e));
    const fromHost = JSON.parse(JSON.stringify(source.exportState())) as PlantState;
    const hostTail = run(source, 15, act, 25).map((m) => m.loss);
    const back = new TfjsPlant(options);
    await back.restoreState(fromHost);
    expect(
      maxRelDiff(
        run(back, 15, act, 25).map((m) => m.loss),
        hostTail,
      ),
    ).toBeLessThan(1e-4);
  });

  it.each(['adam', 'sgd'] as const)(
    'takes optimiser steps bit-identical to tf.train.%s for the same gradient',
    (type) => {
      const n = 500;
      const rnd = lcg(7);
      const start = Float32Array.from({ length: n }, () => rnd() - 0.5);
      const variable = tf.variable(tf.tensor1d(start));
      const lr = type === 'adam' ? 0.01 : 0.05;
      const reference = type === 'adam' ? tf.train.adam(lr, 0.9, 0.999, 1e-8) : tf.train.sgd(lr);
      const host = new JsOptimizer(type, lr, n);
      const weights = Float32Array.from(start);
      for (let step = 0; step < 40; step++) {
        // zeros and magnitudes from 1 down to 1e-8, where m̂/(√v̂ + ε) is most sensitive to rounding
        const g = Float32Array.from({ length: n }, (_, i) => (i % 9 === 0 ? 0 : (rnd() - 0.5) * 10 ** (-8 * rnd())));
        tf.tidy(() => reference.applyGradients([{ name: variable.name, tensor: tf.tensor1d(g) }]));
        host.step(weights, g);
      }
      expect(Array.from(weights)).toEqual(Array.from(variable.dataSync()));
      expect(host.iterations).toBe(reference.iterations);
      if (type === 'adam') {
        const adam = reference as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
        expect(host.accBeta1).toBe(adam.accBeta1.dataSync()[0]);
        expect(host.accBeta2).toBe(adam.accBeta2.dataSync()[0]);
      }
      reference.dispose();
      variable.dispose();
    },
  );

  it('reproduces the seed program: epoch-50 loss inside the PyTorch range for ≥ 8 of 10 seeds', () => {
    const at50 = reference.epochs.indexOf(50);
    const [lo, hi] = [reference.loss_min[at50] as number, reference.loss_max[at50] as number];
    const finals = Array.from({ length: 10 }, (_, seed) => {
      const plant = new JsPlant({ split: irisSeedSplit(), seed: String(seed), optimizer: 'adam', learningRate: 0.01 });
      return run(plant, 50, () => ({ sigma: 0.1, draws: 1 })).at(-1)?.loss as number;
    });
    expect(finals.filter((l) => l >= lo && l <= hi).length).toBeGreaterThanOrEqual(8);
  });
});

describe('JsPlant', () => {
  it('computes the gradient of the mean cross-entropy (finite differences, two hidden layers)', () => {
    const rows = 7;
    const mlp = new JsMlp({ inputs: 3, hidden: [5, 4], outputs: 3, seed: 'grad' });
    const rnd = lcg(3);
    const x = Float32Array.from({ length: rows * 3 }, () => 2 * rnd() - 1);
    const y = Int32Array.from({ length: rows }, (_, r) => r % 3);
    const buf = mlp.buffers(rows, true);
    const loss = (): number => softmaxCrossEntropy(mlp.forward(x, 0, rows, buf), y, 0, rows, 3, null) / rows;
    const logits = mlp.forward(x, 0, rows, buf);
    softmaxCrossEntropy(logits, y, 0, rows, 3, buf.deltas[2] as Float32Array);
    mlp.backward(x, 0, rows, buf, 1 / rows);
    const analytic = Array.from(mlp.gradient);
    // Small enough that no ReLU kink lies within ±h here, large enough to stay above float32 rounding.
    const h = 3e-3;
    let worst = 0;
    for (let i = 0; i < mlp.parameters; i++) {
      const w = mlp.weights[i] as number;
      mlp.weights[i] = w + h;
      const up = (mlp.weights[i] as number) - w; // the float32 step actually taken
      mlp.sync();
      const lossUp = loss();
      mlp.weights[i] = w - h;
      const down = w - (mlp.weights[i] as number);
      mlp.sync();
      const lossDown = loss();
      mlp.weights[i] = w;
      mlp.sync();
      worst = Math.max(worst, Math.abs((lossUp - lossDown) / (up + down) - (analytic[i] as number)));
    }
    expect(analytic.some((g) => Math.abs(g) > 1e-2)).toBe(true);
    expect(worst).toBeLessThan(1e-5);
  });

  it('reverses the step when the loss is under the flood level', () => {
    const base = { split: irisSeedSplit(), seed: '2', optimizer: 'sgd' as const, learningRate: 0.1 };
    const w1 = (plant: JsPlant): Float32Array => decodeFloats(plant.exportState().weights[0] as string, 40);
    const start = w1(new JsPlant(base));
    const moved = (floodLevel?: number): Float32Array => {
      const plant = new JsPlant(base);
      const first = plant.step({ sigma: 0, draws: 1, floodLevel });
      expect(first.loss).toBeLessThan(5); // raw loss is reported, not |L − b| + b
      return w1(plant);
    };
    const plain = moved();
    const flooded = moved(10);
    const above = moved(0.01);
    start.forEach((w, i) => {
      expect((flooded[i] as number) - w).toBeCloseTo(w - (plain[i] as number), 6);
      expect(above[i]).toBe(plain[i]);
    });
  });

  it('gives a bit-identical trajectory for the same seed, another for another seed', () => {
    const losses = (seed: string) =>
      run(new JsPlant({ split: irisSeedSplit(), seed, batchSize: 24, measureClean: true }), 60, schedule(0.2)).map(
        (m) => [m.loss, m.valLoss, m.cleanLoss],
      );
    expect(losses('5')).toEqual(losses('5'));
    expect(losses('5')).not.toEqual(losses('6'));
  });

  it.each(['adam', 'sgd'] as const)(
    'continues bit-exactly from exportState (%s, JSON round trip)',
    async (optimizer) => {
      const options: JsPlantOptions = { split: irisSeedSplit(), seed: '8', optimizer, batchSize: 32 };
      const act = schedule(0.25);
      const expected = run(new JsPlant(options), 140, act).map((m) => m.loss);
      const first = new JsPlant(options);
      for (let e = 0; e < 110; e++) first.step(act(e));
      const saved = JSON.parse(JSON.stringify(first.exportState())) as PlantState;
      first.dispose();
      const second = new JsPlant(options);
      await second.restoreState(saved);
      expect(run(second, 30, act, 110).map((m) => m.loss)).toEqual(expected.slice(110));
    },
  );

  it('refuses a checkpoint of another model and leaves itself untouched', async () => {
    const a = new JsPlant({ split: irisSeedSplit(), hidden: [5] });
    const b = new JsPlant({ split: irisSeedSplit(), hidden: [5, 5] });
    const c = new JsPlant({ split: irisSeedSplit(), hidden: [6] });
    const before = c.exportState();
    await expect(b.restoreState(a.exportState())).rejects.toThrow(/does not match/);
    await expect(c.restoreState(a.exportState())).rejects.toThrow(/expected 24 floats/);
    expect(c.exportState()).toEqual(before);
  });

  it('adds noise to the training inputs only, never to the evaluation', () => {
    const plant = new JsPlant({
      split: irisSeedSplit(),
      seed: '1',
      optimizer: 'sgd',
      learningRate: 1e-30,
      measureClean: true,
    });
    const [quiet, loud] = run(plant, 2, (e) => ({ sigma: e === 0 ? 0 : 3, draws: e === 0 ? 1 : 4 }));
    expect(loud?.loss).not.toBeCloseTo(quiet?.loss as number, 2);
    expect(loud?.valLoss).toBe(quiet?.valLoss);
    expect(loud?.valAccuracy).toBe(quiet?.valAccuracy);
    expect(loud?.cleanLoss).toBe(quiet?.cleanLoss);
    expect(quiet?.cleanLoss).toBeCloseTo(quiet?.loss as number, 12);
  });

  it('flags a diverged run as non-finite and times each epoch with the injected clock', () => {
    let t = 0;
    const plant = new JsPlant({ split: irisSeedSplit(), optimizer: 'sgd', learningRate: 1e30, now: () => (t += 2.5) });
    const epochs = run(plant, 5, () => ({ sigma: 0.1, draws: 1 }));
    expect(epochs[0]?.durationMs).toBe(2.5);
    expect(epochs.at(-1)?.nonFinite).toBe(true);
  });

  it('rejects a batch size that is not a positive integer', () => {
    expect(() => new JsPlant({ split: irisSeedSplit(), batchSize: 0 })).toThrow(/batchSize .* got 0/);
  });
});
