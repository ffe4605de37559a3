/**
 * `lossband/tfjs`: everything that needs TensorFlow.js — the built-in tfjs engine and, for your
 * own `tf.LayersModel`, the controlled noise layer and the `model.fit` callback. A subpath of its
 * own so that `import 'lossband'` never loads tfjs.
 *
 * @example
 * import { selectBackend, TfjsPlant } from 'lossband/tfjs';
 * await selectBackend('wasm');
 */
export { selectBackend, tensorCount, BACKENDS, type BackendName } from '../engines/tfjs/backend.js';
export { buildMlp, type Mlp, type MlpOptions } from '../engines/tfjs/mlp.js';
export { TfjsPlant, type TfjsPlantOptions } from '../engines/tfjs/tfjs-plant.js';
