import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/user-error.js';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { controlledNoise } from '../../src/tfjs/controlled-noise.js';
import { noiseLayers, requireNoiseLayers, setSigma } from '../../src/tfjs/noise-layers.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('noiseLayers / setSigma', () => {
  it('finds every controlledNoise layer, also inside a nested model, and sets them all', () => {
    const inner = tf.sequential({
      name: 'inner',
      layers: [tf.layers.dense({ inputShape: [4], units: 4 }), controlledNoise({ name: 'deep' })],
    });
    const input = tf.input({ shape: [4] });
    const a = controlledNoise({ name: 'first' }).apply(input) as tf.SymbolicTensor;
    const b = inner.apply(a) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(b) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    expect(noiseLayers(model).map((l) => l.name)).toEqual(['first', 'deep']);
    setSigma(model, 0.4);
    expect(noiseLayers(model).map((l) => l.sigma)).toEqual([Math.fround(0.4), Math.fround(0.4)]);
    model.dispose();
  });

  it('refuses a model without one in one line naming controlledNoise, and a bad σ', () => {
    const model = tf.sequential({ name: 'plain', layers: [tf.layers.dense({ inputShape: [3], units: 1 })] });
    expect(noiseLayers(model)).toEqual([]);
    expect(() => setSigma(model, 0.1)).toThrow(UserError);
    expect(() => requireNoiseLayers(model)).toThrow(
      `model "plain" has no controlledNoise layer: add controlledNoise() from 'lossband/tfjs' where the noise goes (e.g. right after the input)`,
    );
    model.dispose();
    const noisy = tf.sequential({ layers: [controlledNoise({ inputShape: [3] })] });
    expect(() => setSigma(noisy, -1)).toThrow(RangeError);
    noisy.dispose();
  });
});
