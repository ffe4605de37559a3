/**
 * lossband's public API. A run is a cold RxJS stream of epoch events; a pure controller
 * closes the loop by choosing the next epoch's input-noise σ.
 *
 * @example
 * import { train, TfjsPlant, LoopActuator, irisSeedSplit, selectBackend } from 'lossband';
 * await selectBackend();
 * train({
 *   run: 'demo',
 *   epochs: 2000,
 *   plant: () => new TfjsPlant({ split: irisSeedSplit() }),
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

// model / train
export { selectBackend, BACKENDS, type BackendName } from './model/backend.js';
export { selectEngine, stepWork, ENGINES, JS_ENGINE_MAX_WORK, type Engine } from './model/engine.js';
export { buildMlp, type Mlp, type MlpOptions } from './model/mlp.js';
export { train, type TrainOptions } from './train/train.js';
export { TfjsPlant, type TfjsPlantOptions } from './train/tfjs-plant.js';
export { HostPlant } from './train/host-plant.js';
export type { Plant, TrainablePlant } from './train/plant.js';
export type { Actuator, Annotation } from './train/actuator.js';
export { LoopActuator } from './train/loop-actuator.js';
export type { EpochEvent } from './train/epoch-event.js';
export type { EpochMeasurement } from './train/epoch-measurement.js';
export { Gaussian } from './train/gaussian.js';
export { immediateScheduler } from './train/immediate-scheduler.js';

// control (pure)
export { inBand, bandDistance, bandMid, type Band } from './control/band.js';
export type { Actuation, ControllerTerms } from './control/actuation.js';
export type { Controller, ControllerInput, ControllerOutput } from './control/controller.js';
export { createPidController, DEFAULT_PID_OPTIONS, type PidOptions } from './control/pid.js';
export { createHysteresisController } from './control/hysteresis.js';
export { createFixedController } from './control/fixed.js';
export { createFloodingController } from './control/flooding.js';
export { createController, type ControllerConfig } from './control/create-controller.js';
export { initLoop, loopStep, setBand, type LoopOptions, type LoopState } from './control/closed-loop.js';
export { reduceBandStatistics, EMPTY_BAND_STATISTICS, type BandStatistics } from './control/band-statistics.js';
export { createPlantGainEstimator } from './control/plant-gain.js';

// operators, metrics, server, report
export { bandStatistics } from './operators/band-statistics.js';
export { LossbandMetrics, registerProcessMetrics, METRIC_NAMES } from './metrics/index.js';
export { createApp, startServer, startFrontServer } from './server/index.js';
export { createControlApi } from './server/control-api.js';
export type { RunControl, RunView } from './server/run-control.js';
export { renderReportSvg, writeReport } from './report/render-report.js';
export { UserError } from './user-error.js';
