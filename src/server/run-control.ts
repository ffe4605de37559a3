import type { Band } from '../core/band.js';
import type { RunState } from '../core/run-state.js';
import type { EpochEvent } from '../core/epoch-event.js';
import type { BandStatus } from '../core/band-status.js';

/** What the control API shows of a run. Plain JSON. */
export interface RunView {
  readonly run: string;
  readonly state: RunState;
  /** Last finished epoch (0 before the first). */
  readonly epoch: number;
  /** Epochs the run will train; 0 = until stopped. */
  readonly epochs: number;
  /** Band the next epoch is controlled against. */
  readonly band: Band;
  /** σ the next epoch applies. */
  readonly sigma: number;
  /** Noisy copies per sample the next epoch applies. */
  readonly draws: number;
  readonly controller: string;
  readonly backend: string;
  /** Share of epochs in band since the first entry; null before it. Optional. */
  readonly inBandFraction?: number | null;
  /** Raw loss of the last epoch; null before the first or when not finite. Optional. */
  readonly lastLoss?: number | null;
  /**
   * The loop's verdict on the band after the last epoch (`lossband_band_status`, `summary.json`
   * `bandStatus`); null before the first epoch. Optional.
   */
  readonly bandStatus?: BandStatus | null;
}

/**
 * The handle the HTTP control API steers a run through, on the main thread. The run applies
 * every request at its next epoch boundary; the handle never blocks and never throws for a
 * valid call.
 */
export interface RunControl {
  readonly run: string;
  view(): RunView;
  /** The last finished epoch's event, if any. */
  lastEvent(): EpochEvent | undefined;
  /**
   * New band from the next epoch on, bumpless. The caller has validated it (`bandProblem`).
   * May return a promise, e.g. to persist the band first: the API answers 200 only once it
   * settles, so an acknowledged change survives a crash.
   */
  setBand(band: Band): void | Promise<void>;
  pause(): void;
  resume(): void;
  /** Stops at the next epoch boundary with a checkpoint, like SIGTERM. */
  stop(): void;
}

/** States in which a run no longer takes changes: it has ended. */
const TERMINAL: ReadonlySet<RunState> = new Set<RunState>(['finished', 'stopped', 'diverged']);

/**
 * Whether a run in `state` has ended and takes no more changes (the API answers 409).
 *
 * @example
 * hasEnded('paused'); // false
 * hasEnded('finished'); // true
 */
export function hasEnded(state: RunState): boolean {
  return TERMINAL.has(state);
}
