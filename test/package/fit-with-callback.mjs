// A tiny model.fit with bandCallback (server on PORT, report on), for the tiered-import test.
import * as tf from '@tensorflow/tfjs';
import { bandCallback, controlledNoise } from 'lossband/tfjs';
const model = tf.sequential({
  layers: [controlledNoise({ inputShape: [4] }), tf.layers.dense({ units: 3, activation: 'softmax' })],
});
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
const x = tf.randomNormal([32, 4]);
const y = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: 32 }, (_, i) => i % 3),
    'int32',
  ),
  3,
);
await model.fit(x, y, {
  epochs: 3,
  verbose: 0,
  callbacks: [bandCallback({ band: { lo: 0.3, hi: 0.4 }, out: process.env.OUT, port: Number(process.env.PORT) })],
});
