import type { Actuation } from '../control/actuation.js';
import type { PlantState } from './plant-state.js';
import type { EpochMeasurement } from './epoch-measurement.js';

/**
 * The thing being controlled: one call trains one epoch under the given actuation and
 * reports plain numbers. The tfjs trainer is one plant; tests drive simulated ones.
 */
export interface Plant {
  step(actuation: Actuation): EpochMeasurement;
  /** Frees every resource (tensors included). Idempotent. */
  dispose(): void;
}

/** A plant whose state can be checkpointed and restored exactly (both training engines). */
export interface TrainablePlant extends Plant {
  /** Trainable parameter count. */
  readonly parameters: number;
  /** Weights, optimiser and noise state at the current epoch boundary. */
  exportState(): PlantState;
  /** Continues from a saved state (a freshly built plant of the same model). */
  restoreState(state: PlantState): Promise<void>;
}
