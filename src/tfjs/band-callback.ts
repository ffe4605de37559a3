import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Logger } from 'pino';
import { resolveConfig } from '../config/resolve-config.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { configSchema, type ConfigInput } from '../config/schema.js';
import { issueKey, issueReason } from '../config/format-issue.js';
import type { Actuation } from '../core/actuation.js';
import type { Band } from '../core/band.js';
import type { EpochEvent } from '../core/epoch-event.js';
import type { EpochSink } from '../core/epoch-sink.js';
import { UserError } from '../core/user-error.js';
import { Run, type EndState } from '../run/run.js';
import { RunHost } from '../run/run-host.js';
import type { RunSummary } from '../run/summary.js';
import { checkModelState, exportModelState, restoreModelState, type ModelState } from './model-state.js';
import { requireNoiseLayers, setSigma } from './noise-layers.js';
import { requireLoggedKey } from './logged-keys.js';
import {
  fixedDrawLoss,
  fixedDrawSample,
  measureRowsOf,
  type FixedDrawSample,
  type LossMeasure,
} from './fixed-draw-loss.js';
import { Recentring, type RecentringOptions } from '../control/recentring.js';
import { applyFeatureScale, resolveFeatureScale, type NoiseScaleMode } from './noise-scale.js';
import { requireGradientKernels } from './require-gradient-kernels.js';
import { startReportThread, type ReportThread } from '../report/report-thread.js';

/** Options of {@link bandCallback}. Keys mirror the CLI's config keys. */
export interface BandCallbackOptions {
  /** The band to hold the monitored loss in, `{ lo, hi }`. Required. */
  readonly band: Band;
  /** Run name: the `run` label, the directory name. Defaults to `<model name>-<UTC timestamp>`. */
  readonly run?: string | undefined;
  /** The logged loss to hold in the band: `loss` or any key in the fit logs (e.g. `val_loss`). Defaults to `'loss'`. */
  readonly monitor?: string | undefined;
  /** Controller and its options, as the config key `controller`. Defaults to `{ type: 'pid' }`. */
  readonly controller?: ConfigInput['controller'];
  /**
   * σ limits and the initial σ (`noise.min`, `noise.max`, `noise.sigma`; defaults to the CLI's:
   * 0.1 and 10), and what σ is measured in (`noise.scale`, `noise.featureStd`, as the CLI's
   * `noise.scale`: see {@link NoiseScaleOptions}; `feature` by default when `trainingData`'s
   * inputs are not standardised, else `absolute`).
   */
  readonly noise?:
    | {
        readonly min?: number;
        readonly max?: number;
        readonly sigma?: number;
        readonly scale?: NoiseScaleMode;
        readonly featureStd?: readonly number[];
      }
    | undefined;
  /**
   * The training tensors `[x, y]` you pass to `fit` (the same tensors; nothing is copied).
   * With them the callback measures the loss it controls with a fixed noise draw (`measure`)
   * and can scale σ per feature (`noise.scale`). Defaults to none.
   */
  readonly trainingData?: readonly [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]] | undefined;
  /**
   * The loss held in the band, each epoch:
   * - `'fixed-draw'`: after the epoch, one forward pass over `trainingData` (a fixed sample of
   *   `measureRows` rows) at the current σ with the same seeded noise draw every epoch
   *   ({@link fixedDrawLoss}): the loss of the epoch's final weights, without the jitter of a
   *   fresh draw;
   * - `'fit'`: the value `fit` logs, the mean over the epoch's batches, each taken with fresh
   *   noise before its optimiser step while the weights move.
   *
   * Defaults to `'fixed-draw'` with `trainingData` (and a training loss to monitor), else `'fit'`.
   */
  readonly measure?: LossMeasure | undefined;
  /**
   * Rows of `trainingData` the fixed-draw measure takes: a fixed random sample of this many
   * (the same rows every epoch; all of them when there are fewer), so its forward pass costs at
   * most this many rows an epoch ({@link fixedDrawSample}). Defaults to 4096.
   */
  readonly measureRows?: number | undefined;
  /**
   * Recentre σ on the held (fixed-draw) loss ({@link Recentring}): when it has left the band,
   * or is predicted to leave it next epoch (its drift at a fixed σ while the model learns, plus
   * the controller's next move), search the σ at which the epoch's final weights meet an aim
   * inside the band — the middle, shifted by the fall the next epoch's learning brings — by a
   * secant search on the fixed-draw loss ({@link searchSigma}: 1–3 forward passes over
   * `trainingData` once the slope is known, up to 9 the first time), and restart the controller
   * there. In callback mode σ can be tried on the model at the cost of a forward pass, so
   * leaving the band is answered in one epoch, not over the several a climb from `noise.min`
   * takes while a model that learns fast sits below the band. `true` or options of
   * {@link Recentring} (`{ drift: false }`: aim at the middle, only once the loss has left).
   * Only with `measure: 'fixed-draw'`. Defaults to true.
   */
  readonly recentre?: boolean | RecentringOptions | undefined;
  /** Run directory. Defaults to `runs/<run>`. */
  readonly out?: string | undefined;
  /** Continue the run in `out` from its checkpoint (weights, optimiser, controller). Defaults to false. */
  readonly resume?: boolean | undefined;
  /** Metrics and control API port; 0 serves nothing. Defaults to 9464 (a busy 9464 only warns). */
  readonly port?: number | undefined;
  /** Bind address. Defaults to `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Bearer token of the control API. Defaults to `LOSSBAND_TOKEN`, else none (changes answer 403). */
  readonly token?: string | undefined;
  /** Epochs between checkpoints of the model's weights and optimiser. Defaults to 100 (0: only at the end). */
  readonly checkpointEvery?: number | undefined;
  /** Write `report.svg` when training ends. Defaults to true. */
  readonly report?: boolean | undefined;
  /** A host shared with other runs of this process (one server, one registry). Defaults to a new one. */
  readonly runHost?: RunHost | undefined;
  /** Receive every epoch's event. Defaults to none. */
  readonly sinks?: readonly EpochSink[] | undefined;
  /** Operational log. Defaults to warnings on stderr. */
  readonly log?: Logger | undefined;
}

/** Options passed to `resolveConfig`, validated there with the CLI's rules. */
function configOf(o: BandCallbackOptions, name: string, scale: NoiseScaleMode): ResolvedConfig {
  if (o.band === undefined) throw new UserError('bandCallback: band: required, e.g. { lo: 0.3, hi: 0.4 }');
  const input: ConfigInput = {
    name,
    band: o.band,
    epochs: 0,
    checkpointEvery: o.checkpointEvery ?? 100,
    // A layer sees each batch once, so K noisy copies per sample do not apply here.
    noise: { min: o.noise?.min, max: o.noise?.max, sigma: o.noise?.sigma, draws: 1, scale },
    server: { port: o.port ?? 9464, host: o.host ?? '127.0.0.1' },
    ...(o.controller ? { controller: o.controller } : {}),
    ...(o.out !== undefined ? { out: o.out } : {}),
  };
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `bandCallback: ${issue ? `${issueKey(issue).join('.')}: ${issueReason(issue)}` : 'invalid options'}`,
    );
  }
  try {
    return resolveConfig([parsed.data], new Date());
  } catch (err) {
    throw err instanceof UserError ? new UserError(`bandCallback: ${err.message}`) : err;
  }
}

/**
 * A TensorFlow.js callback that holds a model's training loss inside a band while `model.fit`
 * (or `fitDataset`) trains it. Monitor → decide → act, once per epoch:
 *
 * - **monitor:** the epoch's training loss, with any loss the model was compiled with
 *   (cross-entropy, MSE, …). What `fit` logs as the epoch's `loss` is the mean over its batches,
 *   each taken before its own optimiser step with fresh noise while the weights move: a value
 *   about half an epoch behind the weights σ acts on next, that jitters with every noise draw,
 *   and that K noisy copies cannot steady (the layer sees each batch once). Given
 *   `trainingData`, the callback instead measures, after the epoch, the loss of the final
 *   weights at the current σ over a fixed sample of those tensors' rows (`measureRows`, 4096)
 *   with the same seeded noise draw every epoch ({@link fixedDrawLoss}, `measure:
 *   'fixed-draw'`): one extra forward pass (≈ 4–5 % of a training epoch on example (a)); the draw's jitter cancels between epochs, and the loss
 *   still rises with σ and falls as the model learns. Without `trainingData` (or with
 *   `measure: 'fit'`, or a `val_` monitor) it holds the logged value;
 * - **decide:** lossband's closed loop (the controller of `controller`, pid by default);
 * - **act:** σ on every {@link controlledNoise} layer of the model, for the next epoch.
 *
 * Around that it runs the whole run layer: `events.jsonl`, `summary.json`, checkpoints of the
 * model's weights *and* optimiser state with the controller, metrics labelled `run` and
 * `model_name` on `/metrics`, the control API (band, pause, resume, stop — stop goes through
 * `model.stopTraining`), SIGINT/SIGTERM, and `report.svg`.
 *
 * To resume a run after a crash, call {@link BandCallback.restore} before `fit` and start from
 * the epochs it returns:
 *
 * @example
 * const cb = bandCallback({ band: { lo: 0.3, hi: 0.4 }, trainingData: [x, y], out: 'runs/digits', resume: fs.existsSync('runs/digits') });
 * const done = await cb.restore(model); // 0 for a fresh run
 * await model.fit(x, y, { epochs: 200, initialEpoch: done, callbacks: [cb] });
 */
export function bandCallback(options: BandCallbackOptions): BandCallback {
  return new BandCallback(options);
}

/** The callback {@link bandCallback} returns. */
export class BandCallback extends tf.Callback {
  /**
   * Training time before the report thread starts loading the renderer, in ms; a run that ends
   * sooner starts it at the end. @internal (tests set it to 0).
   */
  static reportThreadDelayMs = 5000;
  private readonly o: BandCallbackOptions;
  private runHost: RunHost | undefined;
  private ownHost = false;
  private current: Run | undefined;
  private opening: Promise<Run> | undefined;
  private cached: ModelState | undefined;
  private applied: Actuation | undefined;
  private epochStart = 0;
  private trainStart = 0;
  private diverged = false;
  /** The thread that draws report.svg at the end (started with training). */
  private reports: ReportThread | undefined;
  private detachSignals: (() => void) | undefined;
  private summaryOut: RunSummary | undefined;
  private measure: LossMeasure = 'fit';
  /** The rows the fixed-draw measure takes (with `measure: 'fixed-draw'`). */
  private sample: FixedDrawSample | undefined;
  private recentring: Recentring | undefined;

  constructor(options: BandCallbackOptions) {
    super();
    if (options?.band === undefined) throw new UserError('bandCallback: band: required, e.g. { lo: 0.3, hi: 0.4 }');
    this.o = options;
  }

  /** The run, once training has begun (or after {@link restore}). */
  get run(): Run | undefined {
    return this.current;
  }

  /** The summary written when training ended. */
  get summary(): RunSummary | undefined {
    return this.summaryOut;
  }

  /** URL of the metrics server, once it listens. */
  get url(): string | undefined {
    return this.runHost?.url;
  }

  /**
   * Opens the run for `model`: with `resume`, restores the model's weights and optimiser and
   * the controller from the run's checkpoint. Returns the epochs already done, to pass to `fit`
   * as `initialEpoch`. Called by `fit` itself if you do not call it first.
   */
  async restore(model: tf.LayersModel): Promise<number> {
    const run = await this.open(model);
    return run.epochsDone;
  }

  override async onTrainBegin(): Promise<void> {
    const monitor = this.o.monitor ?? 'loss';
    const logged = (this.params as { metrics?: unknown } | undefined)?.metrics;
    if (Array.isArray(logged) && !logged.includes(monitor) && !this.current) {
      throw new UserError(`bandCallback: monitor ${JSON.stringify(monitor)}: the model logs only ${logged.join(', ')}`);
    }
    const run = await this.open(this.model);
    this.trainStart = performance.now();
    run.start();
    this.apply(run);
  }

  override async onEpochBegin(): Promise<void> {
    const run = this.current;
    if (!run) return;
    await run.whilePaused();
    if (run.stopRequested) this.model.stopTraining = true;
    this.apply(run);
    this.epochStart = performance.now();
  }

  override async onEpochEnd(_epoch: number, rawLogs?: tf.Logs): Promise<void> {
    const run = this.current;
    if (!run || !this.applied) return;
    // Tensors turn into numbers here, at one typed boundary (fit may log Scalars).
    const logs = await numbersOf(rawLogs);
    const key = this.o.monitor ?? 'loss';
    const value = logs?.[key];
    if (typeof value !== 'number') {
      const keys = Object.keys(logs ?? {}).join(', ') || 'nothing';
      throw new UserError(`bandCallback: monitor ${JSON.stringify(key)}: the model logs only ${keys}`);
    }
    const sample = this.sample;
    const loss =
      this.measure === 'fixed-draw' && sample && Number.isFinite(value)
        ? fixedDrawLoss(this.model, sample.x, sample.y, { key })
        : value;
    const nonFinite = !Number.isFinite(loss);
    const measurement = {
      loss,
      valLoss: numberOr(logs?.['val_loss']),
      valAccuracy: numberOr(logs?.['val_acc'] ?? logs?.['val_accuracy']),
      durationMs: performance.now() - this.epochStart,
      nonFinite,
    };
    const every = this.o.checkpointEvery ?? 100;
    const next = run.epochsDone + 1;
    if (!nonFinite && every > 0 && next % every === 0) this.cached = await exportModelState(this.model);
    const event: EpochEvent = run.observe(measurement, this.applied);
    if (!nonFinite && sample && this.recentring) {
      const done = this.recentring.afterEpoch(run.actuator, { sigma: this.applied.sigma, loss }, (s) => {
        setSigma(this.model, s);
        return fixedDrawLoss(this.model, sample.x, sample.y, { key });
      });
      setSigma(this.model, run.actuator.actuation.sigma);
      if (done) this.runHost?.log.debug({ run: run.run, epoch: event.epoch, ...done }, 'recentred σ');
    }
    this.runHost?.publish();
    // The report renderer loads on its own thread while the model trains (see startReportThread),
    // from a few seconds in: not at once, when it would take the core a starting model needs
    // (wasm compiles its kernels' optimised code on background threads during the first epochs).
    if (
      this.o.report !== false &&
      !this.reports &&
      performance.now() - this.trainStart >= BandCallback.reportThreadDelayMs
    )
      this.reports = startReportThread();
    // model.fit chains its epochs through promises that never leave the microtask queue: without
    // a macrotask turn here, /metrics (in-process mode) and the control API wait for fit to end.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (event.nonFinite) {
      this.diverged = true;
      this.model.stopTraining = true;
      return;
    }
    if (run.stopRequested) this.model.stopTraining = true;
  }

  override async onTrainEnd(): Promise<void> {
    const run = this.current;
    if (!run) return;
    const state: EndState = this.diverged ? 'diverged' : run.stopRequested ? 'stopped' : 'finished';
    if (!this.diverged) this.cached = await exportModelState(this.model);
    this.summaryOut = await run.end(state, { backend: tf.getBackend() });
    this.detachSignals?.();
    const host = this.runHost;
    // A run shorter than the report thread's delay starts it now.
    const reports = this.reports ?? (this.o.report !== false && run.epochsDone > 0 ? startReportThread() : undefined);
    this.reports = undefined;
    // The report is drawn on its thread while the host's server closes (and waits for a last scrape).
    host?.retire(run);
    const closed = this.ownHost ? host?.close() : undefined;
    if (reports) {
      try {
        await reports.render(run.paths.dir);
      } catch (err) {
        host?.log.error({ err }, 'writing report.svg failed');
      }
      await reports.close();
    }
    await closed;
    this.sample?.dispose();
    this.sample = undefined;
    this.current = undefined;
    this.opening = undefined;
  }

  private apply(run: Run): void {
    this.applied = run.actuator.actuation;
    setSigma(this.model, this.applied.sigma);
  }

  private open(model: tf.LayersModel): Promise<Run> {
    this.opening ??= this.openRun(model);
    return this.opening;
  }

  private async openRun(model: tf.LayersModel): Promise<Run> {
    requireNoiseLayers(model);
    const monitor = this.o.monitor ?? 'loss';
    requireLoggedKey(model, monitor, true, 'bandCallback: monitor');
    requireGradientKernels(model, 'bandCallback');
    this.measure = measureOf(this.o, monitor);
    this.recentring = this.measure === 'fixed-draw' ? recentringOf(this.o.recentre) : undefined;
    const rows = measureRowsOf(this.o.measureRows, 'bandCallback');
    const inputs = this.o.trainingData?.[0];
    const scale = resolveFeatureScale(this.o.noise, Array.isArray(inputs) ? inputs[0] : inputs, 'bandCallback');
    if (scale)
      applyFeatureScale(
        model,
        scale,
        this.o.noise?.scale !== undefined || this.o.noise?.featureStd !== undefined,
        'bandCallback',
      );
    const name =
      this.o.run ?? `${model.name}-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
    const config = configOf(this.o, name, scale ? 'feature' : 'absolute');
    if (this.o.resume && this.o.out === undefined)
      throw new UserError('bandCallback: resume: needs out, the run directory to continue');
    this.runHost = this.o.runHost;
    if (!this.runHost) {
      this.runHost = await RunHost.start({
        port: config.server.port,
        host: config.server.host,
        portExplicit: this.o.port !== undefined,
        token: this.o.token ?? process.env.LOSSBAND_TOKEN,
        log: this.o.log,
      });
      this.ownHost = true;
      this.detachSignals = this.runHost.handleSignals();
    }
    const metrics = this.runHost.metricsFor(config.name);
    let run: Run;
    try {
      run = await Run.open({
        config,
        metrics,
        log: this.runHost.log,
        resume: this.o.resume,
        sinks: [...(this.o.sinks ?? []), this.runHost.feedSink],
        backend: tf.getBackend(),
        checkResumed: (cp, file) => {
          try {
            checkModelState(model, cp.plant as unknown as ModelState);
          } catch (err) {
            throw new UserError(
              `bandCallback: resume: ${file}: ${(err as Error).message.replace(/^restoreModelState: /, '')}`,
            );
          }
        },
      });
    } catch (err) {
      if (this.ownHost) await this.runHost.close();
      throw err;
    }
    const cp = run.resumedFrom;
    if (cp) {
      try {
        await restoreModelState(model, cp.plant as unknown as ModelState);
      } catch (err) {
        await run.end('stopped');
        const reason = (err as Error).message.replace(/^restoreModelState: /, '');
        throw new UserError(`bandCallback: resume: ${path.join(run.paths.dir, 'checkpoint.json')}: ${reason}`);
      }
    }
    this.cached = cp ? (cp.plant as unknown as ModelState) : await exportModelState(model);
    run.attach({ exportState: () => this.cached });
    metrics.setInfo({
      model_name: model.name,
      architecture: model.layers
        .map((l) => l.getClassName())
        .join('-')
        .slice(0, 200),
      parameters: model.countParams(),
      dataset: 'custom',
      backend: tf.getBackend(),
      controller: config.controller.type,
    });
    const training = this.o.trainingData;
    if (this.measure === 'fixed-draw' && training) this.sample = fixedDrawSample(training[0], training[1], rows);
    this.runHost.add(run);
    this.current = run;
    return run;
  }
}

/** The measure the options ask for, checked against what it needs. */
function measureOf(o: BandCallbackOptions, monitor: string): LossMeasure {
  const training = o.trainingData;
  if (training !== undefined && (!Array.isArray(training) || training.length !== 2))
    throw new UserError('bandCallback: trainingData: expected [x, y], the tensors you pass to fit');
  const measure = o.measure ?? (training && !monitor.startsWith('val_') ? 'fixed-draw' : 'fit');
  if (measure !== 'fixed-draw' && measure !== 'fit')
    throw new UserError(`bandCallback: measure: expected 'fixed-draw' or 'fit', got ${JSON.stringify(measure)}`);
  if (measure === 'fixed-draw' && !training)
    throw new UserError("bandCallback: measure 'fixed-draw': needs trainingData, the [x, y] you pass to fit");
  if (measure === 'fixed-draw' && monitor.startsWith('val_'))
    throw new UserError(
      `bandCallback: measure 'fixed-draw': measures a training loss, not monitor ${JSON.stringify(monitor)}`,
    );
  return measure;
}

/** The recentring the option asks for; undefined when off. */
function recentringOf(option: BandCallbackOptions['recentre']): Recentring | undefined {
  if (option === false) return undefined;
  if (option !== undefined && option !== true && (typeof option !== 'object' || option === null))
    throw new UserError(`bandCallback: recentre: expected true, false or options, got ${JSON.stringify(option)}`);
  try {
    return new Recentring(option === true ? {} : option);
  } catch (err) {
    throw err instanceof RangeError ? new UserError(`bandCallback: recentre: ${err.message}`) : err;
  }
}

const numberOr = (x: unknown): number => (typeof x === 'number' ? x : NaN);

/** The logs with every Scalar read back as a number. */
async function numbersOf(logs: tf.Logs | undefined): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(logs ?? {})) {
    const v = value as unknown;
    if (typeof v === 'number') out[key] = v;
    else if (v instanceof tf.Tensor) out[key] = ((await v.data()) as Float32Array)[0] ?? NaN;
  }
  return out;
}
