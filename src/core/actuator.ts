import type { Actuation, ControllerTerms } from './actuation.js';
import type { Band } from './band.js';
import type { BandStatus } from './band-status.js';
import type { EpochMeasurement } from './epoch-measurement.js';

/** What the feedback side adds to each epoch's event. */
export interface Annotation {
  readonly smoothedLoss: number;
  readonly band: Band;
  readonly inBand: boolean;
  readonly terms: ControllerTerms;
  /** The loop's verdict on the band after this epoch; absent for actuators without one. */
  readonly bandStatus?: BandStatus;
  /** Measured per-epoch jitter std of the raw loss at the next σ and K (absent before an estimate). */
  readonly jitter?: number;
  /** The band is narrower than the loop can hold within its draws budget. */
  readonly bandTooNarrow?: boolean;
  /**
   * The controller's answer after this epoch was not finite and was discarded: the next epoch
   * keeps this epoch's σ. Absent when the answer was good.
   */
  readonly controllerFault?: boolean;
}

/**
 * The seam through which σ reaches the training loop: it says what the next epoch applies
 * and learns from what the last epoch measured. A controller closes the loop through it;
 * σ for epoch t+1 is its response to epoch t.
 */
export interface Actuator {
  /** Actuation the next epoch applies. */
  readonly actuation: Actuation;
  /** Feeds back one epoch; returns the event's annotation and advances `actuation`. */
  observe(measurement: EpochMeasurement): Annotation;
}
