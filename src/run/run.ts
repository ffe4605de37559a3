import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { BehaviorSubject, Observable } from 'rxjs';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { EMPTY_BAND_STATISTICS, reduceBandStatistics, type BandStatistics } from '../control/band-statistics.js';
import { bandWarnings, type BandWarningKind } from '../control/band-warnings.js';
import { chanceLoss, sigmaLimits, type LoopOptions } from '../control/closed-loop.js';
import { LoopActuator } from '../control/loop-actuator.js';
import type { Actuation } from '../core/actuation.js';
import { assertBand, type Band } from '../core/band.js';
import type { EpochEvent } from '../core/epoch-event.js';
import type { EpochMeasurement } from '../core/epoch-measurement.js';
import type { EpochSink } from '../core/epoch-sink.js';
import type { RunState } from '../core/run-state.js';
import { UserError } from '../core/user-error.js';
import type { LossbandMetrics } from '../metrics/index.js';
import type { RunControl, RunView } from '../server/run-control.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { readCheckpoint, type Checkpoint } from '../store/checkpoint.js';
import { CheckpointWriter } from '../store/checkpoint-writer.js';
import { EventsWriter } from '../store/events-writer.js';
import { hasEventHistory } from '../store/event-files.js';
import { reconcileEvents } from '../store/reconcile-events.js';
import { runPaths, type RunPaths } from '../store/run-directory.js';
import { acquireRunLock, type RunLock } from '../store/run-lock.js';
import { isFatalStoreError, STORE_FAILURE_EXIT_CODE, StoreFailure } from '../store/store-failure.js';
import { loopOptions } from './create-actuator.js';
import { buildSummary, type RunSummary } from './summary.js';

/** States in which a run has ended. */
export type EndState = Extract<RunState, 'finished' | 'stopped' | 'diverged'>;

/** What a run's checkpoints save of the model being trained: the engine's or the user's model state. */
export interface StateSource {
  /** Plain-JSON state at the current epoch boundary (weights, optimiser, noise). */
  exportState(): unknown;
}

/** Options of {@link Run.open}. */
export interface RunOptions {
  /** The run's config, fully resolved (name, out, epochs, band, controller, noise, checkpointEvery, onNonFinite). Required. */
  readonly config: ResolvedConfig;
  /** The run's series; usually `host.metricsFor(name)`. Required. */
  readonly metrics: LossbandMetrics;
  /** Operational log. Required. */
  readonly log: Logger;
  /** Continue `config.out` from its checkpoint instead of creating it. Defaults to false. */
  readonly resume?: boolean | undefined;
  /** Receive every epoch (a progress bar). Defaults to none. */
  readonly sinks?: readonly EpochSink[] | undefined;
  /** Loop options beyond the config's (e.g. the number of classes). Defaults to none. */
  readonly loop?: Partial<LoopOptions> | undefined;
  /** Engine or model name for the API view (`backend`). Defaults to `'custom'`. */
  readonly backend?: string | undefined;
  /** Learning rate recorded in checkpoints and the summary. Defaults to `config.model.learningRate`. */
  readonly learningRate?: number | undefined;
  /**
   * With `resume`: checks the checkpoint (e.g. that its model state fits the model) right after
   * reading it, before anything in the directory changes; a throw refuses the run and leaves the
   * directory as it was. Defaults to none.
   */
  readonly checkResumed?: ((checkpoint: Checkpoint, file: string) => void) | undefined;
}

/** The band the control API set last, persisted before the API answers (`control.json`). */
interface ControlFile {
  readonly band: Band;
  /** Epoch after which the band was set. */
  readonly epoch: number;
}

/**
 * One run's record and controls, whatever computes its epochs: the built-in engines through
 * `train()` (see `LiveRun`), a user's `model.fit` through `bandCallback`, or any epoch source.
 *
 * - **Directory:** `open` creates the run directory (refusing one that holds a run) or, with
 *   `resume`, reconciles it with its checkpoint; either way it first takes the directory's
 *   lock, so there is one writer per run.
 * - **Loop:** {@link actuator} holds the controller state (restored on resume) and says what the
 *   next epoch applies; {@link observe} feeds a measurement back and records the event.
 * - **Record:** {@link record} sends each event to band statistics, `events.jsonl`, the metrics
 *   and the sinks, and checkpoints every `checkpointEvery` epochs (off the epoch path) with the
 *   {@link StateSource}'s state.
 * - **Controls** ({@link RunControl}): a band change is written to `control.json` before it is
 *   acknowledged, so a crash cannot lose it; pause flushes the events; stop tells the epoch
 *   source through {@link onStop}.
 * - **End:** {@link end} flushes, writes the last checkpoint (not for a diverged run) and
 *   `summary.json` from the full statistics, then releases the lock.
 *
 * @example
 * const run = Run.open({ config, metrics, log });
 * run.attach(plant);
 * const event = run.observe(measurement, applied); // once per epoch
 * await run.end('finished');
 */
export class Run implements RunControl {
  readonly run: string;
  readonly paths: RunPaths;
  /** The checkpoint the run continued from, if it was resumed. */
  readonly resumedFrom: Checkpoint | undefined;
  private readonly o: RunOptions;
  private readonly lock: RunLock;
  /** Whether paused; `paused$` reports it. */
  private pausedNow = false;
  /** What `whilePaused` callers wait on: each is called once at the next resume. */
  private resumeWaiters: (() => void)[] = [];
  /** Made on the first read of `paused$`: a `model.fit` run never reads it, and rxjs costs ~80 ms to load. */
  private pausedSubject: BehaviorSubject<boolean> | undefined;
  private pausedDone = false;
  private readonly stopListeners: (() => void)[] = [];
  private events: EventsWriter;
  private readonly checkpoints: CheckpointWriter;
  private source: StateSource | undefined;
  private current: LoopActuator;
  private state: RunState = 'starting';
  private epoch: number;
  private last: EpochEvent | undefined;
  private stats: BandStatistics;
  private ended: Promise<RunSummary> | undefined;
  private readonly startedAt = performance.now();
  private readonly warned = new Set<BandWarningKind>();
  private faultLogged = false;
  /** Learning rate in force; lowered by rollbacks. */
  learningRate: number;
  /** Rollbacks after non-finite losses so far. */
  rollbacks: number;

  private constructor(
    o: RunOptions,
    paths: RunPaths,
    lock: RunLock,
    resumed: Checkpoint | undefined,
    band: Band | undefined,
  ) {
    this.o = o;
    this.run = o.config.name;
    this.paths = paths;
    this.lock = lock;
    this.resumedFrom = resumed;
    this.epoch = resumed?.epoch ?? 0;
    this.last = resumed?.last;
    this.stats = resumed?.stats ?? EMPTY_BAND_STATISTICS;
    this.learningRate = resumed?.learningRate ?? o.learningRate ?? o.config.model.learningRate;
    this.rollbacks = resumed?.rollbacks ?? 0;
    this.current = this.newActuator(resumed);
    if (band) this.current.setBand(band);
    this.events = this.openEvents();
    this.checkpoints = new CheckpointWriter(paths.checkpoint, {
      onError: (err) => this.storeFailed(err, 'writing the checkpoint failed; training continues'),
      onFatal: (failure) => this.storeFatal(failure),
    });
    o.metrics.setSigmaLimits(o.config.noise.min, o.config.noise.max);
  }

  /**
   * Opens the run directory `config.out` for writing: takes its lock, then creates it (a
   * directory that already holds a run is refused) or, with `resume`, reconciles
   * `events.jsonl` with the checkpoint. Throws a one-line `UserError` for anything the user
   * must fix; nothing is written before the lock is held.
   */
  static async open(options: RunOptions): Promise<Run> {
    const { config } = options;
    const dir = config.out;
    const paths = runPaths(dir);
    if (options.resume) {
      if (!fs.existsSync(paths.config)) throw new UserError(`--resume ${dir}: not a run directory (no config.json)`);
    } else {
      try {
        fs.mkdirSync(dir, { recursive: true });
      } catch (err) {
        throw new UserError(
          `--out ${dir}: cannot create run directory (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    }
    const lock = acquireRunLock(dir);
    try {
      let resumed: Checkpoint | undefined;
      let band: Band | undefined;
      if (options.resume) {
        resumed = readCheckpoint(paths.checkpoint);
        if (resumed && resumed.run !== config.name) {
          throw new UserError(`${paths.checkpoint}: belongs to run "${resumed.run}", not "${config.name}"`);
        }
        if (resumed) options.checkResumed?.(resumed, paths.checkpoint);
        if (!resumed && hasEventHistory(dir)) {
          throw new UserError(
            `${paths.checkpoint}: missing, but events.jsonl holds epochs; refusing to restart and renumber the history`,
          );
        }
        await reconcileEvents(dir, resumed?.epoch ?? 0, { every: config.events.every });
        band = readControlBand(paths.dir, resumed?.epoch ?? 0);
        removeOrphanedTemps(dir);
      } else {
        for (const file of [paths.events, paths.config]) {
          if (fs.existsSync(file)) {
            throw new UserError(
              `--out ${dir}: already holds a run (${path.basename(file)}); use --resume ${dir} or another --out`,
            );
          }
        }
        try {
          writeFileAtomic(paths.config, JSON.stringify(config, null, 2) + '\n');
        } catch (err) {
          throw new UserError(
            new StoreFailure(paths.config, err).message,
            isFatalStoreError(err) ? STORE_FAILURE_EXIT_CODE : 2,
          );
        }
      }
      return new Run(options, paths, lock, resumed, band);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** The loop the epochs are controlled by: `actuation` is what the next epoch applies. */
  get actuator(): LoopActuator {
    return this.current;
  }

  /** Epochs finished so far (continues across resumes). */
  get epochsDone(): number {
    return this.epoch;
  }

  /** The band statistics so far. */
  get statistics(): BandStatistics {
    return this.stats;
  }

  /** `true` while paused; epoch sources wait for `false` before the next epoch. */
  get paused$(): Observable<boolean> {
    if (this.pausedSubject === undefined) {
      // Loaded on demand, synchronously; in Node `import 'rxjs'` resolves to this same CommonJS build.
      const { BehaviorSubject } = createRequire(import.meta.url)('rxjs') as typeof import('rxjs');
      this.pausedSubject = new BehaviorSubject(this.pausedNow);
      if (this.pausedDone) this.pausedSubject.complete();
    }
    return this.pausedSubject;
  }

  /** Whether a stop was requested (API, signal) and not yet acted on by {@link end}. */
  get stopRequested(): boolean {
    return this.stopping;
  }
  private stopping = false;

  /** Registers what checkpoints save; call before the first epoch. */
  attach(source: StateSource): void {
    this.source = source;
  }

  /** Calls `listener` when a stop is requested (at most once per listener). */
  onStop(listener: () => void): void {
    this.stopListeners.push(listener);
  }

  /** Marks the run as training; the first checkpoint of a fresh run is written here. */
  start(): void {
    if (this.state !== 'starting') return;
    this.setState('running');
    // Epoch 0 of a fresh run: a rollback always has a good state to return to.
    if (!this.resumedFrom && this.source) this.checkpoints.writeNow(this.snapshot());
  }

  /**
   * Feeds one measured epoch back through the loop and records it: the event that
   * `train()` would emit. `applied` is what the epoch ran with (read `actuator.actuation`
   * before the epoch).
   */
  observe(measurement: EpochMeasurement, applied: Actuation, timestamp = Date.now()): EpochEvent {
    const annotation = this.current.observe(measurement);
    const event: EpochEvent = {
      run: this.run,
      epoch: this.epoch + 1,
      ...measurement,
      sigma: applied.sigma,
      draws: applied.draws,
      ...annotation,
      timestamp,
    };
    this.record(event);
    return event;
  }

  /** Records one event: statistics, events file, metrics, sinks, and a checkpoint when due. */
  record(event: EpochEvent): void {
    this.epoch = event.epoch;
    this.last = event;
    this.stats = reduceBandStatistics(this.stats, event);
    this.events.append(event);
    this.o.metrics.recordEpoch(event);
    for (const sink of this.o.sinks ?? []) sink.epoch(event);
    if (event.bandStatus?.startsWith('unreachable') || event.bandTooNarrow) this.warnAboutBand(event);
    if (event.controllerFault) this.controllerFault(event);
    const every = this.o.config.checkpointEvery;
    if (!event.nonFinite && every > 0 && event.epoch % every === 0) this.checkpoint();
    // An epoch that was in flight when the pause came (a sliced epoch yields mid-way) ends
    // after pause() flushed: flush it too, or the file lags the paused run by one epoch.
    if (this.state === 'paused') this.events.flush(true);
  }

  /** The state at the current epoch boundary, as a checkpoint. */
  snapshot(): Checkpoint {
    if (!this.source) throw new Error('Run.snapshot: no state source attached');
    return {
      version: 1,
      run: this.run,
      epoch: this.epoch,
      savedAt: Date.now(),
      learningRate: this.learningRate,
      rollbacks: this.rollbacks,
      plant: this.source.exportState() as Checkpoint['plant'],
      loop: this.current.state,
      stats: this.stats,
      last: this.last,
    };
  }

  /** Checkpoints in the background (skipped while one is in flight); never throws into training. */
  checkpoint(): void {
    if (!this.source || this.failure) return;
    try {
      this.checkpoints.writeInBackground(this.snapshot(), () => this.events.sync());
    } catch (err) {
      this.storeFailed(err, 'writing the checkpoint failed; training continues');
    }
  }

  /**
   * Continues from checkpoint `cp` after a non-finite epoch: drops the events after it and
   * restores the loop and statistics. The caller restores its model from `cp.plant`.
   */
  async rollbackTo(cp: Checkpoint): Promise<void> {
    await this.checkpoints.settle();
    this.events.close();
    await reconcileEvents(this.paths.dir, cp.epoch, { every: this.o.config.events.every });
    this.events = this.openEvents();
    this.current = this.newActuator(cp);
    this.epoch = cp.epoch;
    this.last = cp.last;
    this.stats = cp.stats;
  }

  /** Waits for a background checkpoint, then reads the last one written. */
  async lastCheckpoint(): Promise<Checkpoint | undefined> {
    await this.checkpoints.settle();
    return readCheckpoint(this.paths.checkpoint);
  }

  view(): RunView {
    const { config } = this.o;
    const { sigma, draws } = this.current.actuation;
    return {
      run: this.run,
      state: this.state,
      epoch: this.epoch,
      epochs: config.epochs,
      band: this.current.band,
      sigma,
      draws,
      controller: config.controller.type,
      backend: this.o.backend ?? 'custom',
      inBandFraction: this.stats.inBandFraction,
      lastLoss: Number.isFinite(this.last?.loss) ? (this.last?.loss ?? null) : null,
      bandStatus: this.last?.bandStatus ?? null,
    };
  }

  lastEvent(): EpochEvent | undefined {
    return this.last;
  }

  /** Applies `band` from the next epoch on, after writing it to `control.json` (durable before the API answers). */
  setBand(band: Band): void {
    const checked = assertBand(band);
    writeFileAtomic(
      path.join(this.paths.dir, 'control.json'),
      JSON.stringify({ band: checked, epoch: this.epoch } satisfies ControlFile) + '\n',
    );
    this.current.setBand(checked);
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.setState('paused');
    this.pausedNow = true;
    this.pausedSubject?.next(true);
    // Nothing more comes while paused: the file must not lag behind the metrics.
    this.events.flush(true);
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.setState('running');
    this.pausedNow = false;
    this.pausedSubject?.next(false);
    for (const resume of this.resumeWaiters.splice(0)) resume();
  }

  stop(): void {
    if (this.state !== 'running' && this.state !== 'paused' && this.state !== 'starting') return;
    if (this.stopping) return;
    this.stopping = true;
    for (const listener of this.stopListeners.splice(0)) listener();
  }

  /** Resolves at once when not paused, else when resumed or stopped. */
  whilePaused(): Promise<void> {
    if (!this.pausedNow || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      this.resumeWaiters.push(resolve);
      this.onStop(resolve);
    });
  }

  /**
   * Ends the run: flushes the events, writes the last checkpoint (not for a diverged run, whose
   * state is not worth resuming), writes `summary.json` and releases the lock. Idempotent:
   * later calls return the first call's summary.
   */
  end(
    state: EndState,
    extra: { backend?: string; phases?: Record<string, number>; wallSeconds?: number } = {},
  ): Promise<RunSummary> {
    this.ended ??= (async () => {
      const last = state === 'diverged' || !this.source ? undefined : this.snapshot();
      this.pausedDone = true;
      this.pausedSubject?.complete();
      this.setState(state);
      await this.checkpoints.settle();
      this.events.flush(true);
      // After a store failure the events on disk may end before `last`: keep the older checkpoint.
      if (last && !this.failure) this.checkpoints.writeNow(last);
      this.events.close();
      const summary = buildSummary({
        run: this.run,
        state,
        epochs: this.epoch,
        last: this.last,
        band: this.current.band,
        stats: this.stats,
        rollbacks: this.rollbacks,
        learningRate: this.learningRate,
        backend: extra.backend ?? this.o.backend ?? 'custom',
        wallSeconds: extra.wallSeconds ?? (performance.now() - this.startedAt) / 1000,
        phases: extra.phases ?? {},
      });
      try {
        writeFileAtomic(this.paths.summary, JSON.stringify(summary, null, 2) + '\n');
      } catch (err) {
        this.storeFailed(err, 'writing summary.json failed');
      }
      this.lock.release();
      return summary;
    })();
    return this.ended;
  }

  /** The current state. */
  get runState(): RunState {
    return this.state;
  }

  /** One warning per kind and process: an unreachable band, a band too narrow for the budget. */
  private warnAboutBand(event: EpochEvent): void {
    const options = this.current.state.options;
    const limits = sigmaLimits(options);
    const context = {
      chanceLoss: chanceLoss(options),
      budget: this.o.config.noise.budget,
      ...(limits ? { sigmaMin: limits.min, sigmaMax: limits.max } : {}),
    };
    for (const w of bandWarnings(event, this.warned, context)) {
      this.warned.add(w.kind);
      this.o.log.warn({ epoch: event.epoch, bandStatus: event.bandStatus, jitter: event.jitter }, w.text);
    }
  }

  /**
   * The loop discarded a controller answer that was not finite and held σ (see
   * `LoopStepResult.controllerFault`): counted every time, logged once per process.
   */
  private controllerFault(event: EpochEvent): void {
    this.o.metrics.countError('controller');
    if (this.faultLogged) return;
    this.faultLogged = true;
    this.o.log.error(
      { epoch: event.epoch, loss: event.loss, sigma: event.sigma },
      'the controller answered with a non-finite σ; it was discarded and σ held (counted in lossband_internal_errors_total{component="controller"})',
    );
  }

  private setState(state: RunState): void {
    this.state = state;
    this.o.metrics.setState(state);
    for (const sink of this.o.sinks ?? []) sink.state?.(state);
  }

  private newActuator(cp: Checkpoint | undefined): LoopActuator {
    return new LoopActuator({ ...loopOptions(this.o.config), ...this.o.loop }, cp?.loop);
  }

  private openEvents(): EventsWriter {
    try {
      return new EventsWriter(this.paths.events, {
        every: this.o.config.events.every,
        rotateBytes: this.o.config.events.rotateBytes,
        onError: (err) => this.storeFailed(err, 'writing events.jsonl failed; training continues'),
        onFatal: (failure) => this.storeFatal(failure),
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP')
        throw new UserError(`${this.paths.events}: is a symbolic link; refusing to write the history through it`);
      throw new UserError(
        `${this.paths.events}: cannot open (${code ?? 'error'})`,
        isFatalStoreError(err) ? STORE_FAILURE_EXIT_CODE : 2,
      );
    }
  }

  private storeFailed(err: unknown, message: string): void {
    this.o.metrics.countError('store');
    // After a store failure the disk is known to be failing: one report (the failure) is enough.
    if (!this.failure) this.o.log.error({ err }, message);
  }

  /**
   * The store failure (full or read-only disk, run directory gone, out of file descriptors)
   * that stopped the run, if one did. The CLI reports it in one line and exits 4.
   */
  get fatal(): StoreFailure | undefined {
    return this.failure;
  }
  private failure: StoreFailure | undefined;

  /** Stops the run at the next epoch boundary after a store failure; the first one is kept. */
  private storeFatal(failure: StoreFailure): void {
    if (this.failure) return;
    this.failure = failure;
    this.o.metrics.countError('store');
    this.stop();
  }
}

/** The band last set through the API, if it was set after the checkpoint's epoch. */
function readControlBand(dir: string, epoch: number): Band | undefined {
  const file = path.join(dir, 'control.json');
  let json: Partial<ControlFile>;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ControlFile>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`${file}: damaged control file (not valid JSON)`);
  }
  if (!json.band || typeof json.epoch !== 'number')
    throw new UserError(`${file}: damaged control file (needs band and epoch)`);
  try {
    const band = assertBand(json.band);
    return json.epoch >= epoch ? band : undefined;
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message}`);
  }
}

/** Temp files of atomic writes left behind by a kill (`.name.<pid>.tmp`). */
function removeOrphanedTemps(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (/^\..+\.\d+\.tmp$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
  }
}
