import type { Actuation } from './actuation.js';
import type { EpochMeasurement } from './epoch-measurement.js';

/**
 * The thing being controlled: one call trains one epoch under the given actuation and
 * reports plain numbers. The built-in engines are plants, so is a user's tfjs model
 * (`TfjsModelPlant`); tests drive simulated ones.
 *
 * `step` may return a Promise (a user's `model.fit`, a remote trainer): the loop awaits it and
 * still yields to the event loop between epochs. Synchronous plants skip the await entirely.
 */
export interface Plant {
  step(actuation: Actuation): EpochMeasurement | PromiseLike<EpochMeasurement>;
  /** Frees every resource (tensors included). Idempotent. */
  dispose(): void;
}
