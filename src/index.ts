/**
 * lossband's public API. TensorFlow.js, the HTTP server and the report each live behind a
 * subpath of their own (`lossband/tfjs`, `lossband/server`, `lossband/report`), so importing
 * this one loads none of them.
 *
 * The loop: A run is a cold RxJS stream of epoch events; a pure controller
 * closes the loop by choosing the next epoch's input-noise σ.
 *
 * @example
 * import { train, JsPlant, LoopActuator, irisSeedSplit } from 'lossband';
 * train({
 *   run: 'demo',
 *   epochs: 2000,
 *   plant: () => new JsPlant({ split: irisSeedSplit() }),
 *   actuator: () => new LoopActuator({ band: { lo: 0.3, hi: 0.4 } }),
 * }).subscribe((e) => console.log(e.epoch, e.loss, e.sigma));
 */

// data
export type { Dataset, Split } from './data/dataset.js';
export { loadDataset, loadIris } from './data/datasets.js';
export { loadCsv } from './data/csv-loader.js';
export { splitDataset, splitByIndices, irisSeedSplit } from './data/split.js';
export { standardize } from './data/standardize.js';
export { makeBlobs } from './data/make-blobs.js';

// the loop: plants, engines, the epoch stream
export { train, type TrainOptions } from './train/train.js';
export { immediateScheduler } from './train/immediate-scheduler.js';
export type { Plant } from './core/plant.js';
export type { Actuator, Annotation } from './core/actuator.js';
export type { EpochEvent } from './core/epoch-event.js';
export type { EpochMeasurement } from './core/epoch-measurement.js';
export type { EpochSink } from './core/epoch-sink.js';
export type { RunState } from './core/run-state.js';
export { JsPlant, type JsPlantOptions } from './engines/js/js-plant.js';
export { PLANT_DEFAULTS, resolvePlantOptions, type PlantOptions } from './engines/plant-options.js';
export { initialWeights } from './engines/initial-weights.js';
export type { TrainablePlant } from './engines/trainable-plant.js';
export { selectEngine, stepWork, ENGINES, JS_ENGINE_MAX_WORK, type Engine } from './engines/select-engine.js';
export { Gaussian } from './engines/noise/gaussian.js';

// control (pure)
export {
  inBand,
  bandDistance,
  bandMid,
  bandProblem,
  assertBand,
  MIN_BAND_WIDTH,
  MAX_BAND_VALUE,
  type Band,
} from './core/band.js';
export type { Actuation, ControllerTerms } from './core/actuation.js';
export type { Controller, ControllerHint, ControllerInput, ControllerOutput } from './control/controller.js';
export { createPidController, DEFAULT_PID_OPTIONS, type PidOptions } from './control/pid.js';
export { createHysteresisController } from './control/hysteresis.js';
export { createFixedController } from './control/fixed.js';
export { createFloodingController } from './control/flooding.js';
export { createController, type ControllerConfig } from './control/create-controller.js';
export { initLoop, loopStep, setBand, type LoopOptions, type LoopState } from './control/closed-loop.js';
export { LoopActuator } from './control/loop-actuator.js';
export { Recentring, type RecentringOptions, type Recentred } from './control/recentring.js';
export { searchSigma, type SigmaSearchOptions, type SigmaSearchResult } from './control/search-sigma.js';
export { reduceBandStatistics, EMPTY_BAND_STATISTICS, type BandStatistics } from './control/band-statistics.js';
export { createPlantGainEstimator } from './control/plant-gain.js';
export { bandStatistics } from './operators/band-statistics-operator.js';

// config
export { resolveConfig } from './config/resolve-config.js';
export type { ResolvedConfig } from './config/resolved-config.js';
export type { ConfigInput } from './config/schema.js';

// the run layer: run directory, checkpoints, metrics, server, signals
export { Run, type RunOptions, type StateSource, type EndState } from './run/run.js';
export { RunHost, type RunHostOptions } from './run/run-host.js';
export { runSession, type RunSessionOptions } from './run/run-session.js';
export type { RunSummary } from './run/summary.js';
export { LossbandMetrics, registerProcessMetrics, METRIC_NAMES } from './metrics/index.js';
export type { RunControl, RunView } from './server/run-control.js';
export { UserError } from './core/user-error.js';
