import { ZERO_TERMS } from '../../src/core/actuation.js';
import type { Band } from '../../src/core/band.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';

/** A hand-built epoch event: only what band statistics read matters. */
export function event(
  epoch: number,
  loss: number,
  sigma: number,
  smoothedLoss = loss,
  band: Band = { lo: 0.3, hi: 0.4 },
): EpochEvent {
  return {
    run: 'hand',
    epoch,
    loss,
    sigma,
    smoothedLoss,
    band,
    draws: 1,
    valLoss: loss,
    valAccuracy: 1,
    durationMs: 1,
    nonFinite: !Number.isFinite(loss),
    inBand: loss >= band.lo && loss <= band.hi,
    terms: ZERO_TERMS,
    timestamp: epoch,
  };
}
