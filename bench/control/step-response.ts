import type { Band } from '../../src/core/band.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';

/** How the loop answered one band change. */
export interface StepResponse {
  /** Epoch after whose event `setBand` was called; the next epoch is judged against `band`. */
  readonly at: number;
  readonly band: Band;
  /** Epochs from the change until the raw loss is first in the new band; null if never. */
  readonly reentry: number | null;
  /** Epochs from the change until the raw loss stays in band for 20 epochs in a row; null if never. */
  readonly settle: number | null;
  /** Raw in-band fraction from the re-entry to the end of the segment. */
  readonly inBandAfter: number | null;
  /** σ right before the change and at the end of the segment. */
  readonly sigmaBefore: number;
  readonly sigmaAfter: number;
}

/** Measures the response to the band change after epoch `at`, over the events up to `end` (inclusive). */
export function stepResponse(events: readonly EpochEvent[], at: number, end: number, band: Band): StepResponse {
  const segment = events.filter((e) => e.epoch > at && e.epoch <= end);
  const inBand = (e: EpochEvent): boolean => e.loss >= band.lo && e.loss <= band.hi;
  const first = segment.findIndex(inBand);
  let settle: number | null = null;
  for (let k = 0; k + 20 <= segment.length && settle === null; k++) {
    if (segment.slice(k, k + 20).every(inBand)) settle = k + 1;
  }
  const after = first < 0 ? [] : segment.slice(first);
  return {
    at,
    band,
    reentry: first < 0 ? null : first + 1,
    settle,
    inBandAfter: after.length ? after.filter(inBand).length / after.length : null,
    sigmaBefore: events.find((e) => e.epoch === at)?.sigma ?? NaN,
    sigmaAfter: segment.at(-1)?.sigma ?? NaN,
  };
}
