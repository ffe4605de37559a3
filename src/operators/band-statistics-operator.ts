import { scan, type OperatorFunction } from 'rxjs';
import { EMPTY_BAND_STATISTICS, reduceBandStatistics, type BandStatistics } from '../control/band-statistics.js';
import type { EpochEvent } from '../core/epoch-event.js';

/**
 * Emits the running {@link BandStatistics} after every epoch event: how soon the loss first
 * entered its band, what share of epochs since then were in band (raw and smoothed), how far
 * outside it strayed (IAE), and how much σ moved (total variation, reversals).
 *
 * Each emission is O(1) to compute, whatever the run length. Each subscription starts from
 * {@link EMPTY_BAND_STATISTICS}. Completion and errors pass through.
 *
 * ```text
 * events: --a--b--c--|        a: loss 0.5, b: loss 0.35, c: loss 0.2 (band [0.3, 0.4])
 *         bandStatistics()
 * stats:  --A--B--C--|        A: first null           B: first 2, fraction 1
 *                             C: first 2, fraction 0.5, bandIAE 0.2
 * ```
 *
 * @example
 * events$.pipe(bandStatistics(), last()).subscribe((s) => console.log(s.inBandFraction));
 */
export function bandStatistics(): OperatorFunction<EpochEvent, BandStatistics> {
  return scan(reduceBandStatistics, EMPTY_BAND_STATISTICS);
}
