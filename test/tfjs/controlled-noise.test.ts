import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { ControlledNoise, controlledNoise } from '../../src/tfjs/controlled-noise.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** Mean and population std of a flat sample. */
function moments(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += ((values[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

/**
 * Five-standard-error bounds for the sample mean and std of n draws of N(0, σ²): a correct
 * layer fails them with probability < 1e-6, whatever the seed, and a σ off by 2 % fails
 * them almost surely at n = 10^5.
 */
function expectNormal(values: ArrayLike<number>, sigma: number): void {
  const n = values.length;
  const { mean, std } = moments(values);
  expect(Math.abs(mean)).toBeLessThan((5 * sigma) / Math.sqrt(n));
  expect(Math.abs(std - sigma)).toBeLessThan((5 * sigma) / Math.sqrt(2 * n));
}

function noiseOnly(config: Parameters<typeof controlledNoise>[0]): { model: tf.Sequential; layer: ControlledNoise } {
  const layer = controlledNoise(config);
  const model = tf.sequential({ layers: [layer] });
  return { model, layer };
}

describe('controlledNoise', () => {
  it('is the identity at inference, whatever σ', () => {
    const { model, layer } = noiseOnly({ inputShape: [8], sigma: 3 });
    const x = tf.randomUniform([50, 8]);
    const viaPredict = model.predict(x) as tf.Tensor;
    const viaApply = layer.apply(x) as tf.Tensor;
    const viaApplyFalse = layer.apply(x, { training: false }) as tf.Tensor;
    expect(layer.sigma).toBe(3);
    for (const out of [viaPredict, viaApply, viaApplyFalse]) expect(out.arraySync()).toEqual(x.arraySync());
    tf.dispose([x, viaPredict, viaApply, viaApplyFalse]);
    model.dispose();
  });

  it('adds N(0, σ²) in training, fresh for every call', () => {
    const { model, layer } = noiseOnly({ inputShape: [100], sigma: 0.5 });
    const x = tf.fill([1000, 100], 2);
    const a = tf.tidy(() => tf.sub(layer.apply(x, { training: true }) as tf.Tensor, x));
    const b = tf.tidy(() => tf.sub(layer.apply(x, { training: true }) as tf.Tensor, x));
    const da = a.dataSync();
    expectNormal(da, 0.5);
    expectNormal(b.dataSync(), 0.5);
    const same = da.filter((v, i) => v === b.dataSync()[i]).length;
    expect(same).toBeLessThan(10);
    tf.dispose([x, a, b]);
    model.dispose();
  });

  it('applies a new σ to the next call, without rebuilding', () => {
    const { model, layer } = noiseOnly({ inputShape: [100] });
    const x = tf.zeros([1000, 100]);
    expect(layer.sigma).toBe(0);
    const zero = layer.apply(x, { training: true }) as tf.Tensor;
    expect(zero.dataSync().every((v) => v === 0)).toBe(true);
    layer.setSigma(2);
    const two = layer.apply(x, { training: true }) as tf.Tensor;
    expectNormal(two.dataSync(), 2);
    expect(layer.sigma).toBe(2);
    tf.dispose([x, zero, two]);
    model.dispose();
  });

  it('takes σ from its weight as loaded: setWeights changes the next call, with or without a scale', () => {
    for (const scale of [undefined, [1, 1, 1, 1]]) {
      const { model, layer } = noiseOnly({ inputShape: [4], ...(scale ? { scale } : {}) });
      const x = tf.zeros([25_000, 4]);
      layer.setWeights([tf.scalar(1.5)]);
      const out = layer.apply(x, { training: true }) as tf.Tensor;
      expectNormal(out.dataSync(), 1.5);
      tf.dispose([x, out]);
      model.dispose();
    }
  });

  it('takes σ from the variable inside model.fit: an SGD(0) identity model has MSE σ²', async () => {
    const model = tf.sequential({
      layers: [
        controlledNoise({ inputShape: [1] }),
        tf.layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const x = tf.randomNormal([20_000, 1]);
    const fit = async (): Promise<number> =>
      (await model.fit(x, x, { epochs: 1, batchSize: 20_000, verbose: 0 })).history['loss']?.[0] as number;
    expect(await fit()).toBe(0);
    (model.layers[0] as ControlledNoise).setSigma(1.5);
    // MSE = mean of n squared N(0, 1.5²) draws: mean 2.25, std error 2.25·sqrt(2/n).
    expect(Math.abs((await fit()) - 2.25)).toBeLessThan(5 * 2.25 * Math.sqrt(2 / 20_000));
    (model.layers[0] as ControlledNoise).setSigma(0);
    expect(await fit()).toBe(0);
    x.dispose();
    model.dispose();
  });

  it('scales σ per feature: by the last dimension, or by every feature of an image', () => {
    const { model, layer } = noiseOnly({ inputShape: [3], sigma: 0.5, scale: [0, 1, 4] });
    const x = tf.zeros([40_000, 3]);
    const out = layer.apply(x, { training: true }) as tf.Tensor;
    const cols = (out.transpose().arraySync() as number[][]).map((c) => c);
    expect(cols[0]?.every((v) => v === 0)).toBe(true);
    expectNormal(cols[1] as number[], 0.5);
    expectNormal(cols[2] as number[], 2);
    tf.dispose([x, out]);
    model.dispose();

    const image = noiseOnly({ inputShape: [2, 2, 1], sigma: 1, scale: [1, 0, 0, 3] });
    const img = tf.zeros([20_000, 2, 2, 1]);
    const noisy = image.layer.apply(img, { training: true }) as tf.Tensor;
    const pixels = noisy.reshape([20_000, 4]).transpose().arraySync() as number[][];
    expectNormal(pixels[0] as number[], 1);
    expect(pixels[1]?.every((v) => v === 0) && pixels[2]?.every((v) => v === 0)).toBe(true);
    expectNormal(pixels[3] as number[], 3);
    tf.dispose([img, noisy]);
    image.model.dispose();
  });

  it('refuses a scale that fits neither the last dimension nor all features, and bad values', () => {
    expect(() => noiseOnly({ inputShape: [4, 3], scale: [1, 2] })).toThrow(
      'controlledNoise: scale has 2 entries, but the input [4, 3] has 3 in its last dimension and 12 in all',
    );
    expect(() => controlledNoise({ scale: [1, -1] })).toThrow(
      'controlledNoise: scale[1] must be a finite number >= 0, got -1',
    );
    expect(() => controlledNoise({ scale: [] })).toThrow('scale must be a non-empty array');
    expect(() => controlledNoise({ sigma: Number.NaN })).toThrow(
      'controlledNoise: sigma must be a finite number >= 0, got NaN',
    );
    const { model, layer } = noiseOnly({ inputShape: [2] });
    expect(() => layer.setSigma(-0.1)).toThrow(/sigma must be a finite number >= 0, got -0.1/);
    expect(() => layer.setSigma(Infinity)).toThrow(/got Infinity/);
    expect(() => controlledNoise().setSigma(1)).toThrow(/not built yet/);
    model.dispose();
  });

  it('survives model.save and tf.loadLayersModel with its config and its current σ', async () => {
    const model = tf.sequential({
      layers: [
        controlledNoise({ inputShape: [3], sigma: 0.1, scale: [1, 2, 3], name: 'noise_in' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    (model.layers[0] as ControlledNoise).setSigma(0.75);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(JSON.stringify(saved?.modelTopology)).toContain('"class_name":"ControlledNoise"');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const layer = loaded.layers[0];
    expect(layer).toBeInstanceOf(ControlledNoise);
    const noise = layer as ControlledNoise;
    expect(noise.name).toBe('noise_in');
    expect(noise.scale).toEqual([1, 2, 3]);
    expect(noise.sigma).toBe(0.75);
    expect(noise.getConfig()).toMatchObject({ sigma: 0.1, scale: [1, 2, 3] });
    expect(noise.trainableWeights).toHaveLength(0);
    expect(noise.nonTrainableWeights.map((w) => w.shape)).toEqual([[]]);
    const x = tf.randomUniform([5, 3]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(b.arraySync()).toEqual(a.arraySync());
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('leaks no tensors over repeated fit epochs and σ changes, and frees its scale on dispose', async () => {
    const before = tf.memory().numTensors;
    const model = tf.sequential({
      layers: [
        controlledNoise({ inputShape: [4], scale: [1, 1, 2, 2] }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([64, 4]);
    const y = tf.tidy(() => tf.oneHot(tf.randomUniform([64], 0, 3, 'int32'), 3));
    const counts: number[] = [];
    for (let epoch = 0; epoch < 6; epoch++) {
      (model.layers[0] as ControlledNoise).setSigma(0.1 * epoch);
      await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
      counts.push(tf.memory().numTensors);
    }
    // Adam creates its moments in the first epoch; from then on nothing grows.
    expect(new Set(counts.slice(1)).size).toBe(1);
    tf.dispose([x, y]);
    model.optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
