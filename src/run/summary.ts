import type { BandStatistics } from '../control/band-statistics.js';
import type { Band } from '../core/band.js';
import type { BandStatus } from '../core/band-status.js';
import type { EpochEvent } from '../core/epoch-event.js';
import type { RunState } from '../core/run-state.js';

/** `summary.json`: how a run ended and what it reached. Plain JSON. */
export interface RunSummary {
  readonly run: string;
  readonly state: RunState;
  /** Epochs finished, across resumes. */
  readonly epochs: number;
  readonly finalLoss: number | null;
  readonly testAccuracy: number | null;
  readonly finalSigma: number | null;
  readonly finalDraws: number | null;
  readonly band: Band;
  readonly firstInBandEpoch: number | null;
  /** The loop's verdict on the band after the last epoch (see `BandStatus`); null before one. */
  readonly bandStatus: BandStatus | null;
  /** The band was narrower than the loss jitter lets the loop hold within `noise.budget`. */
  readonly bandTooNarrow: boolean;
  /** Measured per-epoch jitter std of the raw loss at the end; null before an estimate. */
  readonly lossJitter: number | null;
  readonly inBandFraction: number | null;
  readonly inBandFractionSmoothed: number | null;
  readonly bandIAE: number;
  readonly sigmaTotalVariation: number;
  readonly sigmaReversals: number;
  readonly nonFiniteEpochs: number;
  readonly rollbacks: number;
  readonly learningRate: number;
  readonly backend: string;
  readonly wallSeconds: number;
  readonly phases: Readonly<Record<string, number>>;
}

/** What {@link buildSummary} summarises. */
export interface SummaryInput {
  readonly run: string;
  readonly state: RunState;
  readonly epochs: number;
  /** The last epoch's event (from the checkpoint when no epoch ran in this process). */
  readonly last: EpochEvent | undefined;
  readonly band: Band;
  readonly stats: BandStatistics;
  readonly rollbacks: number;
  readonly learningRate: number;
  readonly backend: string;
  readonly wallSeconds: number;
  readonly phases: Readonly<Record<string, number>>;
}

/** A finite number, else null (JSON has no NaN). */
const num = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/**
 * The summary of a run from its full statistics and last event: the same figures whether the
 * run went through in one process or was resumed any number of times.
 *
 * @example
 * buildSummary({ run: 'a', state: 'finished', epochs: 2000, last, band, stats, rollbacks: 0, learningRate: 0.01, backend: 'js', wallSeconds: 0.7, phases: {} }).inBandFraction;
 */
export function buildSummary(input: SummaryInput): RunSummary {
  const { last, stats } = input;
  return {
    run: input.run,
    state: input.state,
    epochs: input.epochs,
    finalLoss: num(last?.loss),
    testAccuracy: num(last?.valAccuracy),
    finalSigma: num(last?.sigma),
    finalDraws: num(last?.draws),
    band: last?.band ?? input.band,
    firstInBandEpoch: stats.firstInBandEpoch,
    bandStatus: last?.bandStatus ?? null,
    bandTooNarrow: last?.bandTooNarrow ?? false,
    lossJitter: num(last?.jitter),
    inBandFraction: stats.inBandFraction,
    inBandFractionSmoothed: stats.inBandFractionSmoothed,
    bandIAE: stats.bandIAE,
    sigmaTotalVariation: stats.sigmaTotalVariation,
    sigmaReversals: stats.sigmaReversals,
    nonFiniteEpochs: stats.nonFiniteEpochs,
    rollbacks: input.rollbacks,
    learningRate: input.learningRate,
    backend: input.backend,
    wallSeconds: input.wallSeconds,
    phases: input.phases,
  };
}
