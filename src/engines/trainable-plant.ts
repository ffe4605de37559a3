import type { Plant } from '../core/plant.js';
import type { PlantState } from './plant-state.js';

/** A plant whose state can be checkpointed and restored exactly (both training engines). */
export interface TrainablePlant extends Plant {
  /** Trainable parameter count. */
  readonly parameters: number;
  /** Weights, optimiser and noise state at the current epoch boundary. */
  exportState(): PlantState;
  /** Continues from a saved state (a freshly built plant of the same model). */
  restoreState(state: PlantState): Promise<void>;
}
