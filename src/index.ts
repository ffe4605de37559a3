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
export { selectBackend, BACKENDS, type BackendName } from './engines/tfjs/backend.js';
export { selectEngine, stepWork, ENGINES, JS_ENGINE_MAX_WORK, type Engine } from './engines/select-engine.js';
export { buildMlp, type Mlp, type MlpOptions } from './engines/tfjs/mlp.js';
export { train, type TrainOptions } from './train/train.js';
export { TfjsPlant, type TfjsPlantOptions } from './engines/tfjs/tfjs-plant.js';
export { JsPlant } from './engines/js/js-plant.js';
export type { Plant } from './core/plant.js';
export type { TrainablePlant } from './engines/trainable-plant.js';
export type { Actuator, Annotation } from './core/actuator.js';
export { LoopActuator } from './control/loop-actuator.js';
export type { EpochEvent } from './core/epoch-event.js';
export type { EpochMeasurement } from './core/epoch-measurement.js';
export { Gaussian } from './engines/noise/gaussian.js';
export { immediateScheduler } from './train/immediate-scheduler.js';

// control (pure)
export { inBand, bandDistance, bandMid, type Band } from './core/band.js';
export type { Actuation, ControllerTerms } from './core/actuation.js';
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
export { bandStatistics } from './operators/band-statistics-operator.js';
export { LossbandMetrics, registerProcessMetrics, METRIC_NAMES } from './metrics/index.js';
export { createApp, startServer, startFrontServer } from './server/index.js';
export { createControlApi } from './server/control-api.js';
export type { RunControl, RunView } from './server/run-control.js';
export { renderReportSvg, writeReport } from './report/render-report.js';
export { UserError } from './core/user-error.js';
