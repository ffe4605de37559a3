import type { Actuation } from '../control/actuation.js';
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
