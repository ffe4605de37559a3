import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { loggedKeys, requireLoggedKey } from '../../src/tfjs/logged-keys.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('loggedKeys / requireLoggedKey', () => {
  it('lists what fit will log, and those keys are exactly what it logs', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
    expect(loggedKeys(model, false)).toEqual(['loss', 'mae']);
    expect(loggedKeys(model, true)).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    const x = tf.ones([4, 2]);
    const y = tf.ones([4, 1]);
    const h = await model.fit(x, y, { epochs: 1, validationData: [x, y], verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(loggedKeys(model, true).sort());
    expect(() => requireLoggedKey(model, 'mae', false, 'band.on')).not.toThrow();
    expect(() => requireLoggedKey(model, 'val_mse', true, 'band.on')).toThrow(
      'band.on "val_mse": the model logs only loss, mae, val_loss, val_mae',
    );
    tf.dispose([x, y]);
    model.dispose();
  });
});
