import type { Actuation } from '../core/actuation.js';
import type { EpochMeasurement } from '../core/epoch-measurement.js';
import type { Plant } from '../core/plant.js';
import type { PlantState } from './plant-state.js';

/** Options of one epoch of {@link TrainablePlant.stepSliced}. */
export interface EpochOptions {
  /** Yield to the event loop once this many ms have passed (between batches); `0` after every batch. Defaults to `Infinity` (never). */
  readonly sliceMs?: number;
  /**
   * Measure the clean training loss this epoch, if the plant was built with `measureClean`
   * (skipping it changes nothing else: it is a forward pass only). Defaults to `true`.
   */
  readonly clean?: boolean;
}

/** A plant whose state can be checkpointed and restored exactly (both training engines). */
export interface TrainablePlant extends Plant {
  /** One epoch, synchronously: {@link stepSliced} with no slicing, the clean loss measured if the plant measures it. */
  step(actuation: Actuation): EpochMeasurement;
  /**
   * One epoch that lets the event loop run whenever `options.sliceMs` ms have passed since the epoch
   * began or last yielded (checked between optimiser steps): then it returns a Promise. The
   * same computation in the same order as {@link step}, so the numbers are identical; an epoch
   * shorter than `sliceMs` returns synchronously. `0` yields after every batch.
   */
  stepSliced(actuation: Actuation, options: EpochOptions): EpochMeasurement | Promise<EpochMeasurement>;
  /** Trainable parameter count. */
  readonly parameters: number;
  /** Weights, optimiser and noise state at the current epoch boundary. */
  exportState(): PlantState;
  /** Continues from a saved state (a freshly built plant of the same model). */
  restoreState(state: PlantState): Promise<void>;
}
