/**
 * `lossband/tfjs`: lossband for TensorFlow.js models, your own included. Put a
 * {@link controlledNoise} layer where the noise goes; lossband sets its σ every epoch to hold the
 * training loss in a band — from a `model.fit` callback ({@link bandCallback}), or as a
 * {@link TfjsModelPlant} driven by `train()`. Also the built-in tfjs engine. A subpath of its own
 * so that `import 'lossband'` never loads tfjs.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { bandCallback, controlledNoise } from 'lossband/tfjs';
 *
 * const model = tf.sequential({ layers: [
 *   controlledNoise({ inputShape: [64] }),
 *   tf.layers.dense({ units: 32, activation: 'relu' }),
 *   tf.layers.dense({ units: 10, activation: 'softmax' }),
 * ] });
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * await model.fit(x, y, { epochs: 100, callbacks: [bandCallback({ band: { lo: 0.3, hi: 0.4 } })] });
 */

// the callback and the layer
export { bandCallback, BandCallback, type BandCallbackOptions } from './band-callback.js';
export { ControlledNoise, controlledNoise, type ControlledNoiseConfig } from './controlled-noise.js';
export { noiseLayers, requireNoiseLayers, setSigma } from './noise-layers.js';
export { loggedKeys, requireLoggedKey } from './logged-keys.js';
export {
  FIXED_DRAW_ROWS,
  fixedDrawLoss,
  fixedDrawSample,
  type FixedDrawLossOptions,
  type FixedDrawSample,
  type LossMeasure,
} from './fixed-draw-loss.js';
export {
  featureMoments,
  isStandardised,
  resolveFeatureScale,
  applyFeatureScale,
  type FeatureMoments,
  type NoiseScaleMode,
  type NoiseScaleOptions,
} from './noise-scale.js';
export { requireGradientKernels } from './require-gradient-kernels.js';

// checkpoints
export {
  exportModelState,
  restoreModelState,
  modelArchitecture,
  type ModelState,
  type ModelArchitecture,
  type OptimizerState,
  type OptimizerSlot,
} from './model-state.js';

// the stream API
export { TfjsModelPlant, type TfjsModelPlantOptions, type TrainingDataset } from './tfjs-model-plant.js';

// the built-in tfjs engine
export { selectBackend, tensorCount, BACKENDS, type BackendName } from '../engines/tfjs/backend.js';
export { buildMlp, type Mlp, type MlpOptions } from '../engines/tfjs/mlp.js';
export { TfjsPlant, type TfjsPlantOptions } from '../engines/tfjs/tfjs-plant.js';
