import { ZERO_TERMS } from '../core/actuation.js';
import { bandMid } from '../core/band.js';
import type { Controller } from './controller.js';

/** Options for {@link createFloodingController}. */
export interface FloodingOptions {
  /** Flood level b. Defaults to the midpoint of the band in force, so it follows band changes. */
  readonly level?: number;
}

/** The flooding baseline keeps no state. */
export type FloodingState = Record<string, never>;

/**
 * Literature baseline: flooding (Ishida et al., "Do We Need Zero Training Loss After Achieving
 * Zero Training Error?", ICML 2020). No input noise (σ = 0); instead the trainer minimises
 * |L − b| + b, which ascends the gradient whenever the loss dips below b, so the training loss
 * floats around the flood level b = band midpoint.
 *
 * @example
 * const flood = createFloodingController();
 * const out = flood.step(flood.init(0), { measurement: 0.2, raw: 0.2, band: { lo: 0.3, hi: 0.4 }, dt: 1 });
 * [out.sigma, out.floodLevel]; // [0, 0.35]
 */
export function createFloodingController(options: FloodingOptions = {}): Controller<FloodingState> {
  const { level } = options;
  if (level !== undefined && !(level >= 0 && Number.isFinite(level)))
    throw new RangeError(`Invalid flood level: ${level}`);
  return {
    type: 'flooding',
    init: () => ({}),
    step: (state, { band }) => ({ state, sigma: 0, terms: ZERO_TERMS, floodLevel: level ?? bandMid(band) }),
  };
}
