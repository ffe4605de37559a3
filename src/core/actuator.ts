import type { Actuation, ControllerTerms } from './actuation.js';
import type { Band } from './band.js';
import type { EpochMeasurement } from './epoch-measurement.js';

/** What the feedback side adds to each epoch's event. */
export interface Annotation {
  readonly smoothedLoss: number;
  readonly band: Band;
  readonly inBand: boolean;
  readonly terms: ControllerTerms;
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
