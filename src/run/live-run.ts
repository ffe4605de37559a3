import type { Subscription } from 'rxjs';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { EpochEvent } from '../core/epoch-event.js';
import type { Split } from '../data/dataset.js';
import { JsPlant } from '../engines/js/js-plant.js';
import type { Engine } from '../engines/select-engine.js';
import type { TrainablePlant } from '../engines/trainable-plant.js';
import { DEFAULT_SLICE_MS } from '../engines/time-slice.js';
import type { Actuation } from '../core/actuation.js';
import type { PlantState } from '../engines/plant-state.js';
import { UserError } from '../core/user-error.js';
import type { Checkpoint } from '../store/checkpoint.js';
import { train } from '../train/train.js';
import type { EndState, Run } from './run.js';

/**
 * Longest stretch, in ms, an epoch holds the main thread before signals, the control API and
 * timers get a turn (checked between optimiser steps; one batch is never split).
 */
const SLICE_MS = DEFAULT_SLICE_MS;

/** Rollbacks allowed after non-finite losses before the run is given up as diverged. */
const MAX_ROLLBACKS = 3;
/** Factor applied to the learning rate at each rollback. */
const ROLLBACK_LR_FACTOR = 0.5;

/** Options of {@link LiveRun.create}. */
export interface LiveRunOptions {
  /** The run's record and controls (opened, fresh or resumed). Required. */
  readonly run: Run;
  readonly config: ResolvedConfig;
  /** Engine computing the epochs: plain JS or a tfjs backend. */
  readonly backend: Engine;
  readonly split: Split;
  /** Called after every recorded epoch (e.g. publish metrics). Defaults to nothing. */
  readonly afterEpoch?: ((event: EpochEvent) => void) | undefined;
}

/**
 * A run on a built-in engine: the plant, the epoch stream `train()` over it, and rollback on
 * divergence; everything the epochs feed (events, metrics, checkpoints, controls) is the
 * {@link Run}'s. Every command takes effect at an epoch boundary.
 */
export class LiveRun {
  private subscription: Subscription | undefined;
  private finish: ((state: EndState) => void) | undefined;
  private fail: ((err: unknown) => void) | undefined;
  /** The sliced epoch being computed, settled (never rejects) once its result was handled. */
  private inFlight: Promise<void> | undefined;

  private constructor(
    private readonly o: LiveRunOptions,
    private plant: TrainablePlant,
  ) {
    o.run.attach({ exportState: () => this.plant.exportState() });
    o.run.onStop(() => this.end('stopped'));
  }

  /** Builds the plant, fresh or from the run's checkpoint. */
  static async create(options: LiveRunOptions): Promise<LiveRun> {
    const cp = options.run.resumedFrom;
    const plant = await buildPlant(options, options.run.learningRate, cp);
    return new LiveRun(options, plant);
  }

  /** Trainable parameters of the model. */
  get parameters(): number {
    return this.plant.parameters;
  }

  /** Trains until the configured epochs are done, a stop, or divergence; resolves with the end state. */
  trainToEnd(): Promise<EndState> {
    return new Promise((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
      this.o.run.start();
      this.start();
    });
  }

  private start(): void {
    const { config, run } = this.o;
    const done = run.epochsDone;
    const remaining = config.epochs > 0 ? config.epochs - done : 0;
    if (run.stopRequested) return this.end('stopped');
    if (config.epochs > 0 && remaining <= 0) return this.end('finished');
    const plant = this.plant;
    // The run checkpoints the plant after the stream ends, so the stream must not dispose it.
    // A long epoch yields every SLICE_MS (signals and the API are handled meanwhile); while it
    // is in flight, `inFlight` holds it, so that a stop waits for it to be recorded.
    const borrowed = {
      step: (actuation: Actuation) => {
        const result = plant.stepSliced(actuation, { sliceMs: SLICE_MS, clean: this.cleanDue(run.epochsDone + 1) });
        if (result instanceof Promise) {
          const settled = result.then(
            () => undefined,
            () => undefined,
          );
          this.inFlight = settled;
          void settled.then(() => {
            if (this.inFlight === settled) this.inFlight = undefined;
          });
        }
        return result;
      },
      dispose: () => undefined,
    };
    this.subscription = train({
      run: run.run,
      epochs: remaining,
      startEpoch: done,
      plant: () => borrowed,
      actuator: () => run.actuator,
      paused: run.paused$,
    }).subscribe({
      next: (event) => this.onEvent(event),
      error: (err) => this.fail?.(err),
      complete: () => this.end('finished'),
    });
  }

  /** Whether epoch `epoch` measures the clean loss: every one for `signal: clean`, else 1, 1 + N, 1 + 2N, … */
  private cleanDue(epoch: number): boolean {
    const { config } = this.o;
    if (config.controller.signal === 'clean') return true;
    const every = config.metrics.cleanEvery;
    return every > 0 && (epoch - 1) % every === 0;
  }

  private onEvent(event: EpochEvent): void {
    const { run, config } = this.o;
    if (event.nonFinite && config.onNonFinite === 'rollback' && run.rollbacks < MAX_ROLLBACKS) {
      void this.rollback(event).catch((err) => this.fail?.(err));
      return;
    }
    run.record(event);
    this.o.afterEpoch?.(event);
    if (event.nonFinite) this.end('diverged');
  }

  private async rollback(event: EpochEvent): Promise<void> {
    const { run } = this.o;
    this.subscription?.unsubscribe();
    run.rollbacks += 1;
    run.learningRate *= ROLLBACK_LR_FACTOR;
    const cp = await run.lastCheckpoint();
    if (!cp) throw new Error('no checkpoint to roll back to');
    this.plant.dispose();
    this.plant = await buildPlant(this.o, run.learningRate, cp);
    await run.rollbackTo(cp);
    this.o.afterEpoch?.(event);
    this.start();
  }

  private end(state: EndState): void {
    const finish = this.finish;
    if (finish === undefined) return;
    // Mid-epoch (a sliced epoch yielded): the plant's weights are half-way through an epoch, so
    // neither a checkpoint nor the summary may be taken yet. The epoch finishes and is
    // recorded (train() handles its result first), then the run ends at that boundary.
    const inFlight = this.inFlight;
    if (inFlight) {
      void inFlight.then(() => this.end(state));
      return;
    }
    this.finish = undefined;
    this.subscription?.unsubscribe();
    finish(state);
  }

  /** Frees the plant (tensors included). Call after `run.end()`. */
  dispose(): void {
    this.plant.dispose();
  }
}

async function buildPlant(
  o: LiveRunOptions,
  learningRate: number,
  cp: Checkpoint | undefined,
): Promise<TrainablePlant> {
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
    measureClean: config.controller.signal === 'clean' || config.metrics.cleanEvery > 0,
    noiseScale: config.noise.scale,
    antithetic: config.noise.antithetic,
  });
  if (cp) {
    try {
      await plant.restoreState(cp.plant as PlantState);
    } catch (err) {
      plant.dispose();
      // Short weights, a foreign shape, an undecodable moment: the file's fault, not ours.
      throw new UserError(
        `${o.run.paths.checkpoint}: damaged checkpoint (does not fit this run's model: ${(err as Error).message})`,
      );
    }
  }
  return plant;
}
