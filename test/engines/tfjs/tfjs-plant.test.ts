import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { irisSeedSplit } from '../../../src/data/split.js';
import { standardize } from '../../../src/data/standardize.js';
import { selectBackend } from '../../../src/engines/tfjs/backend.js';
import { TfjsPlant, type TfjsPlantOptions } from '../../../src/engines/tfjs/tfjs-plant.js';

const reference = JSON.parse(
  fs.readFileSync(new URL('../../fixtures/seed_loss_reference.json', import.meta.url), 'utf8'),
) as {
  epochs: number[];
  loss_min: number[];
  loss_max: number[];
};

function losses(options: Partial<TfjsPlantOptions>, epochs: number, sigma = 0.1, draws = 1): number[] {
  const plant = new TfjsPlant({ split: irisSeedSplit(), ...options });
  try {
    return Array.from({ length: epochs }, () => plant.step({ sigma, draws }).loss);
  } finally {
    plant.dispose();
  }
}

describe('TfjsPlant', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('reproduces the seed program: epoch-50 loss inside the PyTorch range for most seeds', () => {
    const at50 = reference.epochs.indexOf(50);
    const [lo, hi] = [reference.loss_min[at50] as number, reference.loss_max[at50] as number];
    const finals = Array.from({ length: 10 }, (_, seed) => losses({ seed: String(seed) }, 50).at(-1) as number);
    const inside = finals.filter((l) => l >= lo && l <= hi).length;
    expect(inside).toBeGreaterThanOrEqual(8);
    // and the first epoch starts where PyTorch's does (raw centimetres, untrained net)
    const first = losses({ seed: '3' }, 1)[0] as number;
    expect(first).toBeGreaterThan((reference.loss_min[0] as number) - 0.3);
    expect(first).toBeLessThan((reference.loss_max[0] as number) + 0.3);
  });

  it('gives a bit-identical loss trajectory for the same seed, another for another seed', () => {
    expect(losses({ seed: '5' }, 30)).toEqual(losses({ seed: '5' }, 30));
    expect(losses({ seed: '5' }, 30)).not.toEqual(losses({ seed: '6' }, 30));
  });

  it('adds noise to the training inputs only, never to the evaluation', () => {
    const frozen = { seed: '1', optimizer: 'sgd' as const, learningRate: 1e-30 };
    const plant = new TfjsPlant({ split: irisSeedSplit(), ...frozen });
    const quiet = plant.step({ sigma: 0, draws: 1 });
    const loud = plant.step({ sigma: 3, draws: 1 });
    plant.dispose();
    expect(loud.loss).not.toBeCloseTo(quiet.loss, 2);
    expect(loud.valLoss).toBe(quiet.valLoss);
    expect(loud.valAccuracy).toBe(quiet.valAccuracy);
  });

  it('measures the clean loss on the same samples when asked', () => {
    const plant = new TfjsPlant({
      split: irisSeedSplit(),
      seed: '2',
      measureClean: true,
      optimizer: 'sgd',
      learningRate: 1e-30,
    });
    const a = plant.step({ sigma: 0, draws: 1 });
    const b = plant.step({ sigma: 2, draws: 4 });
    plant.dispose();
    expect(a.cleanLoss).toBeCloseTo(a.loss, 5);
    expect(b.cleanLoss).toBeCloseTo(a.cleanLoss as number, 5);
    expect(b.loss).toBeGreaterThan(a.loss);
  });

  it('halves the per-epoch jitter of the noisy loss with 4 draws', () => {
    const jitter = (draws: number): number => {
      const plant = new TfjsPlant({
        split: standardize(irisSeedSplit()).split,
        seed: '4',
        optimizer: 'sgd',
        learningRate: 1e-30,
      });
      const xs = Array.from({ length: 200 }, () => plant.step({ sigma: 0.7, draws }).loss);
      plant.dispose();
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    };
    const ratio = jitter(4) / jitter(1);
    expect(ratio).toBeGreaterThan(0.35);
    expect(ratio).toBeLessThan(0.65);
  });

  it('trains with flooding (loss held near b) and with mini-batches', () => {
    const plant = new TfjsPlant({ split: standardize(irisSeedSplit()).split, seed: '0' });
    let last = 0;
    for (let i = 0; i < 600; i++) last = plant.step({ sigma: 0, draws: 1, floodLevel: 0.35 }).loss;
    plant.dispose();
    expect(last).toBeGreaterThan(0.25);
    expect(last).toBeLessThan(0.45);
    const batched = losses({ seed: '0', batchSize: 16 }, 40);
    expect(batched.at(-1)).toBeLessThan(batched[0] as number);
  });

  it('leaks no tensors: the count after epoch 10 equals the count after epoch 10,000', () => {
    const before = tf.memory().numTensors;
    const plant = new TfjsPlant({ split: irisSeedSplit(), seed: '0', measureClean: true });
    let at10 = -1;
    for (let epoch = 1; epoch <= 10_000; epoch++) {
      plant.step({ sigma: 0.1, draws: epoch < 5000 ? 1 : 2 });
      if (epoch === 10) at10 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(at10);
    plant.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('TfjsPlant state', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(['adam', 'sgd'] as const)(
    'continues bit-exactly from exportState (%s, draws and batches)',
    async (optimizer) => {
      const options = { split: irisSeedSplit(), seed: '8', optimizer, batchSize: 32 };
      const schedule = (e: number) => ({ sigma: 0.05 * (e % 7), draws: 1 + (e % 3) });
      const straight = new TfjsPlant(options);
      const expected = Array.from({ length: 40 }, (_, e) => straight.step(schedule(e)).loss);
      straight.dispose();

      const first = new TfjsPlant(options);
      for (let e = 0; e < 25; e++) first.step(schedule(e));
      const saved = JSON.parse(JSON.stringify(first.exportState()));
      first.dispose();
      const before = tf.memory().numTensors;
      const second = new TfjsPlant(options);
      await second.restoreState(saved);
      const resumed = Array.from({ length: 15 }, (_, i) => second.step(schedule(25 + i)).loss);
      second.dispose();
      expect(resumed).toEqual(expected.slice(25));
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('refuses a state from another model', async () => {
    const a = new TfjsPlant({ split: irisSeedSplit(), hidden: [5] });
    const b = new TfjsPlant({ split: irisSeedSplit(), hidden: [5, 5] });
    await expect(b.restoreState(a.exportState())).rejects.toThrow(/does not match/);
    a.dispose();
    b.dispose();
  });
});
