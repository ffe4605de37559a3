import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { bandCallback } from '../../src/tfjs/band-callback.js';
import { controlledNoise } from '../../src/tfjs/controlled-noise.js';
import { requireGradientKernels } from '../../src/tfjs/require-gradient-kernels.js';
import { TfjsModelPlant } from '../../src/tfjs/tfjs-model-plant.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function convModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      controlledNoise({ inputShape: [8, 8, 1] }),
      tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'conv' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}

describe('a conv net on a backend without its gradient kernels (tfjs-backend-wasm 4.22)', () => {
  const x = tf.zeros([4, 8, 8, 1]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);

  it('bandCallback refuses it before training, in one line naming the backend, and writes nothing', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-wasm-')), 'run');
    const model = convModel();
    const fit = model.fit(x, y, {
      epochs: 1,
      callbacks: [bandCallback({ band: { lo: 0.2, hi: 0.3 }, out, port: 0 })],
      verbose: 0,
    });
    await expect(fit).rejects.toThrow(
      /^bandCallback: backend "wasm" cannot train layer "conv" \(Conv2D\): it has no Conv2DBackpropFilter kernel; use selectBackend\('cpu'\)/,
    );
    expect(fs.existsSync(out)).toBe(false);
    model.dispose();
  });

  it('TfjsModelPlant refuses it at construction', () => {
    const model = convModel();
    expect(() => new TfjsModelPlant({ model, x, y })).toThrow(
      /^TfjsModelPlant: backend "wasm" cannot train layer "conv"/,
    );
    model.dispose();
  });

  it('a dense model passes on wasm, and the conv net passes on cpu', async () => {
    const dense = tf.sequential({ layers: [controlledNoise({ inputShape: [4] }), tf.layers.dense({ units: 1 })] });
    expect(() => requireGradientKernels(dense, 'x')).not.toThrow();
    dense.dispose();
    await selectBackend('cpu');
    const model = convModel();
    expect(() => requireGradientKernels(model, 'x')).not.toThrow();
    model.dispose();
    await selectBackend('wasm');
  });
});
