import type { EpochEvent } from '../../src/core/epoch-event.js';

/** A complete epoch event for run `run`; `loss` defaults to a slowly falling curve. */
export function feedEvent(epoch: number, overrides: Partial<EpochEvent> = {}, run = 'demo'): EpochEvent {
  const loss = overrides.loss ?? 1 / Math.sqrt(epoch);
  return {
    run,
    epoch,
    loss,
    valLoss: loss,
    valAccuracy: 0.9,
    durationMs: 1,
    nonFinite: !Number.isFinite(loss),
    sigma: 0.1,
    draws: 1,
    smoothedLoss: loss,
    band: { lo: 0.3, hi: 0.4 },
    inBand: loss >= 0.3 && loss <= 0.4,
    terms: { p: 0, i: 0, d: 0, error: 0 },
    timestamp: 1_700_000_000_000 + epoch,
    ...overrides,
  };
}

/** Events `from`..`to` inclusive. */
export function feedEvents(from: number, to: number, overrides: Partial<EpochEvent> = {}, run = 'demo'): EpochEvent[] {
  const out: EpochEvent[] = [];
  for (let epoch = from; epoch <= to; epoch++) out.push(feedEvent(epoch, overrides, run));
  return out;
}
