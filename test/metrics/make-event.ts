import type { EpochEvent } from '../../src/core/epoch-event.js';

/** A plausible in-band epoch event; override any field. */
export function makeEvent(overrides: Partial<EpochEvent> = {}): EpochEvent {
  return {
    run: 'test-run',
    epoch: 1,
    loss: 0.35,
    valLoss: 0.4,
    valAccuracy: 0.9,
    durationMs: 2,
    nonFinite: false,
    sigma: 0.2,
    draws: 1,
    smoothedLoss: 0.36,
    band: { lo: 0.3, hi: 0.4 },
    inBand: true,
    terms: { p: 0.1, i: 0.02, d: -0.01, error: 0.05 },
    timestamp: 1_700_000_000_000,
    ...overrides,
  };
}
