import type { Band } from './band.js';
import type { ControllerTerms } from './actuation.js';
import type { BandStatus } from './band-status.js';
import type { EpochMeasurement } from './epoch-measurement.js';

/**
 * One finished epoch of a run: what was measured, what was applied, and what the
 * controller concluded. Plain numbers only; one line of `events.jsonl` each.
 */
export interface EpochEvent extends EpochMeasurement {
  /** Run name. */
  readonly run: string;
  /** 1-based epoch number; continues across resumes. */
  readonly epoch: number;
  /** Noise std applied during this epoch. */
  readonly sigma: number;
  /** Noisy copies per sample applied during this epoch. */
  readonly draws: number;
  /** Filtered value of the controlled signal after this epoch. */
  readonly smoothedLoss: number;
  /** Band in force during this epoch. */
  readonly band: Band;
  /** Whether the raw `loss` lies in `band`. */
  readonly inBand: boolean;
  /** Controller terms of the step that followed this epoch. */
  readonly terms: ControllerTerms;
  /** The loop's verdict on the band after this epoch (absent in events written before it existed). */
  readonly bandStatus?: BandStatus | undefined;
  /** Measured per-epoch jitter std of the raw loss, for the next epoch's σ and K (absent before an estimate). */
  readonly jitter?: number | undefined;
  /** The band is narrower than the loop can hold within its draws budget (sustained). */
  readonly bandTooNarrow?: boolean | undefined;
  /**
   * The controller's answer after this epoch was not finite (an overflow) and was discarded: σ
   * held at its last good value. Counted in `lossband_internal_errors_total{component="controller"}`.
   * Absent when the answer was good.
   */
  readonly controllerFault?: boolean | undefined;
  /** Unix time in milliseconds when the epoch finished. */
  readonly timestamp: number;
}
