import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { controlledNoise } from '../../src/tfjs/controlled-noise.js';
import { noiseLayers } from '../../src/tfjs/noise-layers.js';
import { featureMoments, isStandardised, resolveFeatureScale } from '../../src/tfjs/noise-scale.js';
import { TfjsModelPlant } from '../../src/tfjs/tfjs-model-plant.js';
import { bandCallback } from '../../src/tfjs/band-callback.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const STD = [0.01, 1, 100];
/** Rows of three features of std 0.01, 1 and 100 (means 5, 0, −300): raw, unstandardised data. */
function rawData(rows = 4000): tf.Tensor2D {
  return tf.tidy(() =>
    tf
      .randomNormal([rows, 3], 0, 1, 'float32', 3)
      .mul(tf.tensor1d(STD))
      .add(tf.tensor1d([5, 0, -300])),
  );
}

/** A noise layer and a dense head on 3 features, MSE on y = 0 (the head's weights do not matter here). */
function model(scale?: number[]): tf.Sequential {
  const m = tf.sequential({
    layers: [controlledNoise({ inputShape: [3], ...(scale ? { scale } : {}) }), tf.layers.dense({ units: 1 })],
  });
  m.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
  return m;
}

/** Std per feature of the noise the model's first noise layer adds in training, from 20,000 rows. */
function injectedStd(m: tf.LayersModel): number[] {
  const layer = noiseLayers(m)[0];
  if (!layer) throw new Error('no noise layer');
  return tf.tidy(() => {
    const zero = tf.zeros([20000, 3]);
    const noise = layer.apply(zero, { training: true }) as tf.Tensor;
    return Array.from(tf.moments(noise, 0).variance.sqrt().dataSync());
  });
}

describe('noise.scale for the tfjs adapter', () => {
  it('featureMoments: mean and population std per feature, std 1 for a constant one', () => {
    const x = tf.tensor2d([
      [0, 10, 7],
      [2, 30, 7],
    ]);
    const m = featureMoments(x);
    expect(m.mean).toEqual([1, 20, 7]);
    expect(m.std).toEqual([1, 10, 1]);
    // Images: every pixel is a feature.
    expect(featureMoments(tf.zeros([4, 8, 8, 1])).std).toHaveLength(64);
    x.dispose();
  });

  it('the default is feature on raw data and absolute on standardised data, as the CLI', () => {
    const raw = rawData();
    const std = resolveFeatureScale(undefined, raw, 'here');
    expect(std).toHaveLength(3);
    std?.forEach((s, j) => expect(s / (STD[j] as number)).toBeCloseTo(1, 1));
    const standard = tf.randomNormal([4000, 3], 0, 1, 'float32', 4);
    expect(isStandardised(featureMoments(standard))).toBe(true);
    expect(resolveFeatureScale(undefined, standard, 'here')).toBeUndefined();
    expect(resolveFeatureScale({ scale: 'feature' }, standard, 'here')).toHaveLength(3);
    expect(resolveFeatureScale({ scale: 'absolute' }, raw, 'here')).toBeUndefined();
    expect(resolveFeatureScale(undefined, undefined, 'here')).toBeUndefined();
    expect(resolveFeatureScale({ featureStd: [1, 2, 3] }, undefined, 'here')).toEqual([1, 2, 3]);
    tf.dispose([raw, standard]);
  });

  it('refuses what it cannot do, in one line naming the option', () => {
    expect(() => resolveFeatureScale({ scale: 'feature' }, undefined, 'bandCallback')).toThrow(
      /^bandCallback: noise\.scale 'feature': needs the training inputs/,
    );
    expect(() => resolveFeatureScale({ scale: 'absolute', featureStd: [1] }, undefined, 'x')).toThrow(
      /^x: noise\.featureStd: not with noise\.scale 'absolute'/,
    );
    expect(() => resolveFeatureScale({ featureStd: [1, -1] }, undefined, 'x')).toThrow(/^x: noise\.featureStd\[1\]/);
    expect(() => resolveFeatureScale({ scale: 'relative' as never }, undefined, 'x')).toThrow(
      /^x: noise\.scale: expected/,
    );
  });

  it('TfjsModelPlant on raw data: the injected noise std of each feature is σ × that feature std', async () => {
    const x = rawData();
    const y = tf.zeros([4000, 1]);
    const m = model();
    const plant = new TfjsModelPlant({ model: m, x, y, batchSize: 1000 });
    await plant.step({ sigma: 0.5, draws: 1 });
    const got = injectedStd(m);
    // Five standard errors of a std from 20,000 draws (≈ 0.5 %), plus the data's own sampling error (≈ 1.1 %).
    got.forEach((s, j) => expect(Math.abs(s / (0.5 * (STD[j] as number)) - 1)).toBeLessThan(0.05));
    m.dispose();
    tf.dispose([x, y]);
  });

  it('absolute: one σ for every feature, as before', async () => {
    const x = rawData();
    const y = tf.zeros([4000, 1]);
    const m = model();
    const plant = new TfjsModelPlant({ model: m, x, y, batchSize: 1000, noise: { scale: 'absolute' } });
    await plant.step({ sigma: 0.5, draws: 1 });
    injectedStd(m).forEach((s) => expect(Math.abs(s / 0.5 - 1)).toBeLessThan(0.05));
    m.dispose();
    tf.dispose([x, y]);
  });

  it("a layer's own scale stays unless noise.scale is asked for", async () => {
    const x = rawData();
    const y = tf.zeros([4000, 1]);
    const own = model([1, 2, 3]);
    new TfjsModelPlant({ model: own, x, y });
    expect(noiseLayers(own)[0]?.scale).toEqual([1, 2, 3]);
    const forced = model([1, 2, 3]);
    new TfjsModelPlant({ model: forced, x, y, noise: { featureStd: [4, 5, 6] } });
    expect(noiseLayers(forced)[0]?.scale).toEqual([4, 5, 6]);
    own.dispose();
    forced.dispose();
    tf.dispose([x, y]);
  });

  it('bandCallback scales σ per feature from trainingData, and refuses a scale that does not fit', async () => {
    const x = rawData();
    const y = tf.zeros([4000, 1]);
    const m = model();
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-scale-')), 'run');
    const cb = bandCallback({ band: { lo: 0.2, hi: 0.3 }, trainingData: [x, y], port: 0, out, report: false });
    await m.fit(x, y, { epochs: 1, batchSize: 1000, callbacks: [cb], verbose: 0 });
    const scale = noiseLayers(m)[0]?.scale ?? [];
    expect(scale).toHaveLength(3);
    scale.forEach((s, j) => expect(s / (STD[j] as number)).toBeCloseTo(1, 1));
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).noise.scale).toBe('feature');
    await expect(
      bandCallback({ band: { lo: 0.2, hi: 0.3 }, noise: { featureStd: [1, 2] }, port: 0 }).restore(model()),
    ).rejects.toThrow(/^bandCallback: noise\.scale: controlledNoise: scale has 2 entries/);
    m.dispose();
    tf.dispose([x, y]);
  });
});
