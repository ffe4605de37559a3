import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/user-error.js';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { controlledNoise } from '../../src/tfjs/controlled-noise.js';
import { exportModelState, modelArchitecture, restoreModelState, type ModelState } from '../../src/tfjs/model-state.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** A small classifier; each call gets fresh random initial weights. */
function build(options: { hidden?: number; optimizer?: () => tf.Optimizer; extraLayer?: boolean } = {}): tf.Sequential {
  const model = tf.sequential({
    layers: [
      controlledNoise({ inputShape: [5] }),
      tf.layers.dense({ units: options.hidden ?? 8, activation: 'relu' }),
      ...(options.extraLayer ? [tf.layers.dense({ units: 8, activation: 'relu' })] : []),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: options.optimizer?.() ?? tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
  return model;
}

const data = tf.tidy(() => {
  const x = tf.randomNormal([120, 5]);
  const y = tf.oneHot(tf.argMax(tf.matMul(x, tf.randomNormal([5, 3])), 1), 3);
  return { x: tf.keep(x), y: tf.keep(y) };
});
afterAll(() => tf.dispose([data.x, data.y]));

/** Losses of `epochs` more epochs, one fit call per epoch, in a fixed data order. */
async function epochs(model: tf.LayersModel, n: number): Promise<number[]> {
  const losses: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = await model.fit(data.x, data.y, { epochs: 1, batchSize: 18, shuffle: false, verbose: 0 });
    losses.push(h.history['loss']?.[0] as number);
  }
  return losses;
}

function dispose(model: tf.LayersModel): void {
  model.optimizer.dispose();
  model.dispose();
}

describe('exportModelState / restoreModelState', () => {
  for (const [name, optimizer] of [
    ['adam', () => tf.train.adam(0.02)],
    ['sgd with momentum', () => tf.train.momentum(0.05, 0.9)],
    ['rmsprop', () => tf.train.rmsprop(0.01)],
  ] as const) {
    it(`resumes ${name} bit-identically: 3 + 3 epochs through a JSON checkpoint equal 6 uninterrupted`, async () => {
      const original = build({ optimizer });
      await epochs(original, 3);
      const state = JSON.parse(JSON.stringify(await exportModelState(original))) as ModelState;
      const uninterrupted = await epochs(original, 3);

      const resumed = build({ optimizer });
      await restoreModelState(resumed, state);
      expect(resumed.optimizer.iterations).toBe(state.optimizer?.iterations);
      // 3 epochs × 7 batches: 0.999^22 by 21 float32 products differs from pow(0.999, 22) in the last bit,
      // which tfjs's own Adam.setWeights would use.
      expect(state.optimizer?.iterations).toBe(21);
      const continued = await epochs(resumed, 3);
      expect(continued).toEqual(uninterrupted);
      expect(uninterrupted[0]).not.toBe(uninterrupted[2]); // it did train
      dispose(original);
      dispose(resumed);
    });
  }

  it('carries the σ weight of controlledNoise and names the architecture', async () => {
    const model = build();
    const state = await exportModelState(model);
    expect(state.architecture.layers).toEqual(['ControlledNoise', 'Dense', 'Dense']);
    expect(state.architecture.weights.map((w) => w.shape)).toEqual([[5, 8], [8], [8, 3], [3], []]); // trainable first, then σ
    expect(state.optimizer).toMatchObject({ className: 'Adam', iterations: 0, slots: [] });
    dispose(model);
  });

  it('refuses a different architecture or optimiser in one line, and changes nothing', async () => {
    const trained = build();
    await epochs(trained, 1);
    const state = await exportModelState(trained);
    const cases: [tf.Sequential, string][] = [
      [build({ hidden: 16 }), 'restoreModelState: different architecture: weight dense_Dense'],
      // Dense, Dense → Dense, Dense, Dense: the class lists first differ at the end.
      [
        build({ extraLayer: true }),
        'restoreModelState: different architecture: layer 4 is absent in the checkpoint but Dense in this model',
      ],
      [
        build({ optimizer: () => tf.train.sgd(0.1) }),
        "restoreModelState: the checkpoint's optimiser is Adam but this model's is SGD",
      ],
    ];
    for (const [model, message] of cases) {
      const weightsBefore = model.getWeights().map((w) => w.arraySync());
      const err = await restoreModelState(model, state).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toContain(message);
      expect((err as Error).message).not.toMatch(/\n/);
      expect(model.getWeights().map((w) => w.arraySync())).toEqual(weightsBefore);
      dispose(model);
    }
    const wide = build({ hidden: 16 });
    const err = (await restoreModelState(wide, state).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /^restoreModelState: different architecture: weight dense_Dense\d+\/kernel has shape \[5, 8\] in the checkpoint but \[5, 16\] in this model$/,
    );
    dispose(wide);
    dispose(trained);
  });

  it('refuses a corrupt checkpoint before touching the model', async () => {
    const model = build();
    const state = await exportModelState(model);
    const target = build();
    const before = target.getWeights().map((w) => w.arraySync());
    const cut = { ...state, weights: state.weights.map((w, i) => (i === 0 ? w.slice(0, 8) : w)) };
    await expect(restoreModelState(target, cut)).rejects.toThrow(
      /^restoreModelState: weight dense_Dense\d+\/kernel: expected 40 floats, found 1.5$/,
    );
    await expect(restoreModelState(target, { ...state, format: 'x' } as unknown as ModelState)).rejects.toThrow(
      'restoreModelState: format must be "lossband-tfjs-model/1", got "x"',
    );
    await expect(restoreModelState(target, { ...state, weights: [] })).rejects.toThrow(
      'one entry per architecture weight (5)',
    );
    expect(target.getWeights().map((w) => w.arraySync())).toEqual(before);
    dispose(model);
    dispose(target);
  });

  it('leaks no tensors over repeated export and restore', async () => {
    const model = build();
    await epochs(model, 1);
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      await restoreModelState(model, await exportModelState(model));
      await epochs(model, 1);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    dispose(model);
  });

  it('describes nested models by their leaf layers', () => {
    const inner = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
    const outer = tf.sequential({
      layers: [controlledNoise({ inputShape: [2] }), inner, tf.layers.dense({ units: 1 })],
    });
    expect(modelArchitecture(outer).layers).toEqual(['ControlledNoise', 'Dense', 'Dense']);
    outer.dispose();
  });
});
