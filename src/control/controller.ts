import type { Band } from '../core/band.js';
import type { ControllerTerms } from '../core/actuation.js';

/** What a controller sees after each epoch. */
export interface ControllerInput {
  /** Filtered value of the controlled signal (the EMA of `raw`). */
  readonly measurement: number;
  /** Unfiltered value of the controlled signal this epoch. */
  readonly raw: number;
  /** Band in force for the next epoch (may have changed since the last step). */
  readonly band: Band;
  /** Epochs since the previous step; normally 1. Passed in, never read from a clock. */
  readonly dt: number;
}

/** A controller's response: its next state, the σ for the next epoch, and its terms. */
export interface ControllerOutput<S> {
  readonly state: S;
  readonly sigma: number;
  readonly terms: ControllerTerms;
  /** Flooding level for the next epoch (only the flooding baseline sets it). */
  readonly floodLevel?: number | undefined;
}

/** What a restart knows of the plant (see `restartAt`). */
export interface ControllerHint {
  /** Measured slope of the loss in ln σ, in band widths per unit ln σ. */
  readonly gain?: number | undefined;
}

/**
 * A pure feedback controller: (state, measurement) → (state, σ, terms).
 * State is plain JSON so it can be checkpointed and restored.
 */
export interface Controller<S = unknown> {
  readonly type: string;
  /**
   * State before the first epoch, given the initial σ; or on a restart there, with what the
   * caller measured of the plant (controllers that keep no such estimate ignore it).
   */
  init(sigma: number, hint?: ControllerHint): S;
  step(state: S, input: ControllerInput): ControllerOutput<S>;
}
