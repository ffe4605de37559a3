import { BehaviorSubject, type Subscription } from 'rxjs';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { Band } from '../core/band.js';
import { EMPTY_BAND_STATISTICS, reduceBandStatistics, type BandStatistics } from '../control/band-statistics.js';
import type { Split } from '../data/dataset.js';
import type { LossbandMetrics, RunState } from '../metrics/index.js';
import type { RunControl, RunView } from '../server/run-control.js';
import { readCheckpoint, type Checkpoint } from '../store/checkpoint.js';
import { CheckpointWriter } from '../store/checkpoint-writer.js';
import { EventsWriter } from '../store/events-writer.js';
import { reconcileEvents } from '../store/reconcile-events.js';
import type { RunPaths } from '../store/run-directory.js';
import type { EpochEvent } from '../core/epoch-event.js';
import type { LoopActuator } from '../control/loop-actuator.js';
import { JsPlant } from '../engines/js/js-plant.js';
import type { TrainablePlant } from '../engines/trainable-plant.js';
import type { Engine } from '../engines/select-engine.js';
import { train } from '../train/train.js';
import { createActuator } from './create-actuator.js';
import type { EpochSink } from '../core/epoch-sink.js';

/** Rollbacks allowed after non-finite losses before the run is given up as diverged. */
const MAX_ROLLBACKS = 3;
/** Factor applied to the learning rate at each rollback. */
const ROLLBACK_LR_FACTOR = 0.5;

/** Options of {@link LiveRun.create}. */
export interface LiveRunOptions {
  readonly config: ResolvedConfig;
  /** Engine computing the epochs: plain JS or a tfjs backend. */
  readonly backend: Engine;
  readonly split: Split;
  readonly paths: RunPaths;
  readonly metrics: LossbandMetrics;
  readonly progress: EpochSink;
  readonly log: Logger;
  /** Continue from this checkpoint instead of starting fresh. */
  readonly resume?: Checkpoint | undefined;
}

/** How a run ended and what it reached. */
export interface RunOutcome {
  readonly state: Extract<RunState, 'finished' | 'stopped' | 'diverged'>;
  readonly last: EpochEvent | undefined;
  readonly stats: BandStatistics;
  readonly rollbacks: number;
  readonly learningRate: number;
}

/**
 * One training run in this process: the epoch stream plus what it feeds (events file,
 * metrics, progress, band statistics), checkpoints every `checkpointEvery` epochs and at
 * shutdown, rollback on divergence, and the {@link RunControl} handle the HTTP API steers.
 * Every command takes effect at an epoch boundary: JavaScript runs handlers between epochs.
 */
export class LiveRun implements RunControl {
  readonly run: string;
  private readonly paused = new BehaviorSubject(false);
  private events: EventsWriter;
  private readonly checkpoints: CheckpointWriter;
  private subscription: Subscription | undefined;
  private state: RunState = 'starting';
  private last: EpochEvent | undefined;
  private finish: ((outcome: RunOutcome) => void) | undefined;
  private fail: ((err: unknown) => void) | undefined;

  private constructor(
    private readonly o: LiveRunOptions,
    private plant: TrainablePlant,
    private actuator: LoopActuator,
    private epoch: number,
    private stats: BandStatistics,
    private learningRate: number,
    private rollbacks: number,
  ) {
    this.run = o.config.name;
    this.events = this.openEvents();
    this.checkpoints = new CheckpointWriter(o.paths.checkpoint, { onError: (err) => this.checkpointFailed(err) });
  }

  /** Builds the plant and the loop, fresh or from `options.resume`. */
  static async create(options: LiveRunOptions): Promise<LiveRun> {
    const cp = options.resume;
    const learningRate = cp?.learningRate ?? options.config.model.learningRate;
    const plant = await buildPlant(options, learningRate, cp);
    const actuator = createActuator(options.config, cp?.loop);
    const run = new LiveRun(options, plant, actuator, cp?.epoch ?? 0, cp?.stats ?? EMPTY_BAND_STATISTICS, learningRate, cp?.rollbacks ?? 0);
    if (!cp) run.checkpoints.writeNow(run.snapshot()); // epoch 0: a rollback always has a good state to return to
    return run;
  }

  /** Trainable parameters of the model. */
  get parameters(): number {
    return this.plant.parameters;
  }

  /** Trains until the configured epochs are done, a stop, or divergence. */
  trainToEnd(): Promise<RunOutcome> {
    return new Promise((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
      this.start();
    });
  }

  view(): RunView {
    const { config, backend } = this.o;
    const { sigma, draws } = this.actuator.actuation;
    return { run: this.run, state: this.state, epoch: this.epoch, epochs: config.epochs, band: this.actuator.band, sigma, draws, controller: config.controller.type, backend };
  }

  lastEvent(): EpochEvent | undefined {
    return this.last;
  }

  setBand(band: Band): void {
    this.actuator.setBand(band);
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.paused.next(true);
    this.setState('paused');
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.setState('running');
    this.paused.next(false);
  }

  stop(): void {
    if (this.state === 'running' || this.state === 'paused') this.end('stopped');
  }

  private start(): void {
    const { config } = this.o;
    const remaining = config.epochs > 0 ? config.epochs - this.epoch : 0;
    this.setState('running');
    if (config.epochs > 0 && remaining <= 0) return this.end('finished');
    const plant = this.plant;
    this.subscription = train({
      run: this.run,
      epochs: remaining,
      startEpoch: this.epoch,
      plant: () => plant,
      actuator: () => this.actuator,
      paused: this.paused,
    }).subscribe({
      next: (event) => this.onEvent(event),
      error: (err) => this.fail?.(err),
      complete: () => this.end('finished'),
    });
  }

  private onEvent(event: EpochEvent): void {
    if (event.nonFinite && this.o.config.onNonFinite === 'rollback' && this.rollbacks < MAX_ROLLBACKS) {
      void this.rollback(event).catch((err) => this.fail?.(err));
      return;
    }
    this.record(event);
    if (event.nonFinite) return this.end('diverged');
    const every = this.o.config.checkpointEvery;
    if (every > 0 && event.epoch % every === 0) this.checkpoint();
  }

  private record(event: EpochEvent): void {
    this.epoch = event.epoch;
    this.last = event;
    this.stats = reduceBandStatistics(this.stats, event);
    this.events.append(event);
    this.o.metrics.recordEpoch(event);
    this.o.progress.epoch(event);
  }

  /** The state at the current epoch boundary (plant alive, between epochs). */
  private snapshot(): Checkpoint {
    return {
      version: 1,
      run: this.run,
      epoch: this.epoch,
      savedAt: Date.now(),
      learningRate: this.learningRate,
      rollbacks: this.rollbacks,
      plant: this.plant.exportState(),
      loop: this.actuator.state,
      stats: this.stats,
    };
  }

  /** Checkpoints in the background (skipped while one is in flight); never throws into training. */
  private checkpoint(): void {
    try {
      this.checkpoints.writeInBackground(this.snapshot(), () => this.events.sync());
    } catch (err) {
      this.checkpointFailed(err);
    }
  }

  private checkpointFailed(err: unknown): void {
    this.o.metrics.countError('store');
    this.o.log.error({ err }, 'writing the checkpoint failed; training continues');
  }

  private async rollback(event: EpochEvent): Promise<void> {
    this.subscription?.unsubscribe();
    this.setState('diverged');
    this.rollbacks += 1;
    this.learningRate *= ROLLBACK_LR_FACTOR;
    await this.checkpoints.settle();
    const cp = readCheckpoint(this.o.paths.checkpoint);
    if (!cp) throw new Error('no checkpoint to roll back to');
    this.o.log.warn({ epoch: event.epoch, to: cp.epoch, learningRate: this.learningRate }, 'non-finite loss: rolling back to the last checkpoint');
    this.events.close();
    reconcileEvents(this.o.paths.events, cp.epoch);
    this.events = this.openEvents();
    this.plant = await buildPlant(this.o, this.learningRate, cp);
    this.actuator = createActuator(this.o.config, cp.loop);
    this.epoch = cp.epoch;
    this.stats = cp.stats;
    this.start();
  }

  private end(state: RunOutcome['state']): void {
    const finish = this.finish;
    if (finish === undefined) return;
    this.finish = undefined;
    // Snapshot before unsubscribing: that disposes the plant. A diverged state is not saved.
    const last = state === 'diverged' ? undefined : this.snapshot();
    this.subscription?.unsubscribe();
    this.paused.complete();
    this.setState(state);
    void this.checkpoints.settle().then(() => {
      this.events.flush(true);
      if (last) this.checkpoints.writeNow(last);
      this.events.close();
      finish({ state, last: this.last, stats: this.stats, rollbacks: this.rollbacks, learningRate: this.learningRate });
    });
  }

  private setState(state: RunState): void {
    this.state = state;
    this.o.metrics.setState(state);
  }

  private openEvents(): EventsWriter {
    return new EventsWriter(this.o.paths.events, {
      onError: (err) => {
        this.o.metrics.countError('store');
        this.o.log.error({ err }, 'writing events.jsonl failed; training continues');
      },
    });
  }
}

async function buildPlant(o: LiveRunOptions, learningRate: number, cp: Checkpoint | undefined): Promise<TrainablePlant> {
  const { config, split } = o;
  // tfjs is loaded only when a tfjs backend computes the epochs.
  const Plant = o.backend === 'js' ? JsPlant : (await import('../engines/tfjs/tfjs-plant.js')).TfjsPlant;
  const plant = new Plant({
    split,
    seed: String(config.seed),
    hidden: config.model.hidden,
    optimizer: config.model.optimizer,
    learningRate,
    batchSize: config.model.batchSize,
    measureClean: config.controller.signal === 'clean',
  });
  if (cp) await plant.restoreState(cp.plant);
  return plant;
}
