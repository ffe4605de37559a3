import type { EpochEvent } from '../core/epoch-event.js';
import { bandDistance, inBand } from '../core/band.js';

/**
 * Running band-keeping statistics of a run. Plain JSON; O(1) to update, so it keeps up with
 * 100,000-epoch runs. Every event is judged against its own `band`, so band changes count right.
 */
export interface BandStatistics {
  /** Events seen. */
  readonly epochs: number;
  /** Epoch number of the first event whose raw `loss` is in band; null if none yet. */
  readonly firstInBandEpoch: number | null;
  /** Events from `firstInBandEpoch` on (inclusive). */
  readonly epochsSinceFirstInBand: number;
  /** Of those, events whose raw `loss` is in band. */
  readonly inBandSinceFirst: number;
  /** Of those, events whose `smoothedLoss` is in band. */
  readonly inBandSmoothedSinceFirst: number;
  /** inBandSinceFirst / epochsSinceFirstInBand; null before the first entry. */
  readonly inBandFraction: number | null;
  /** Same over `smoothedLoss`, on the same epochs (from the raw first entry); null before it. */
  readonly inBandFractionSmoothed: number | null;
  /** Σ over all events of the raw loss's distance outside the band (non-finite epochs skipped). */
  readonly bandIAE: number;
  /** Events whose raw loss was not finite or that were flagged `nonFinite` (not counted in bandIAE, never in band). */
  readonly nonFiniteEpochs: number;
  /** Σ |σₖ − σₖ₋₁| over consecutive events. */
  readonly sigmaTotalVariation: number;
  /** Sign changes of Δσ, steps with Δσ = 0 ignored. */
  readonly sigmaReversals: number;
  /** σ of the last event; null before the first. */
  readonly lastSigma: number | null;
  /** Sign (±1) of the last non-zero Δσ; 0 before there was one. */
  readonly lastSigmaDirection: number;
}

/** Statistics of an empty run. */
export const EMPTY_BAND_STATISTICS: BandStatistics = Object.freeze({
  epochs: 0,
  firstInBandEpoch: null,
  epochsSinceFirstInBand: 0,
  inBandSinceFirst: 0,
  inBandSmoothedSinceFirst: 0,
  inBandFraction: null,
  inBandFractionSmoothed: null,
  bandIAE: 0,
  nonFiniteEpochs: 0,
  sigmaTotalVariation: 0,
  sigmaReversals: 0,
  lastSigma: null,
  lastSigmaDirection: 0,
});

/**
 * Folds one epoch event into the statistics (a pure reducer: use with `Array.reduce` or RxJS `scan`).
 *
 * @example
 * const stats = events.reduce(reduceBandStatistics, EMPTY_BAND_STATISTICS);
 * stats.inBandFraction; // e.g. 0.995
 */
export function reduceBandStatistics(s: BandStatistics, event: EpochEvent): BandStatistics {
  // An epoch whose weights went non-finite counts as non-finite even if its loss still printed
  // a number (e.g. 6.65e37 before the overflow): its loss says nothing about the band.
  const finite = Number.isFinite(event.loss) && !event.nonFinite;
  const rawIn = finite && inBand(event.loss, event.band);
  const firstInBandEpoch = s.firstInBandEpoch ?? (rawIn ? event.epoch : null);
  const counting = firstInBandEpoch !== null;
  const epochsSinceFirstInBand = s.epochsSinceFirstInBand + (counting ? 1 : 0);
  const inBandSinceFirst = s.inBandSinceFirst + (counting && rawIn ? 1 : 0);
  const inBandSmoothedSinceFirst =
    s.inBandSmoothedSinceFirst + (counting && inBand(event.smoothedLoss, event.band) ? 1 : 0);
  const step = s.lastSigma === null ? 0 : event.sigma - s.lastSigma;
  const direction = Math.sign(step);
  const reversal = direction !== 0 && s.lastSigmaDirection !== 0 && direction !== s.lastSigmaDirection;
  return {
    epochs: s.epochs + 1,
    firstInBandEpoch,
    epochsSinceFirstInBand,
    inBandSinceFirst,
    inBandSmoothedSinceFirst,
    inBandFraction: counting ? inBandSinceFirst / epochsSinceFirstInBand : null,
    inBandFractionSmoothed: counting ? inBandSmoothedSinceFirst / epochsSinceFirstInBand : null,
    bandIAE: s.bandIAE + (finite ? bandDistance(event.loss, event.band) : 0),
    nonFiniteEpochs: s.nonFiniteEpochs + (finite ? 0 : 1),
    sigmaTotalVariation: s.sigmaTotalVariation + Math.abs(step),
    sigmaReversals: s.sigmaReversals + (reversal ? 1 : 0),
    lastSigma: event.sigma,
    lastSigmaDirection: direction !== 0 ? direction : s.lastSigmaDirection,
  };
}
