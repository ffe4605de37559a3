import { ZERO_TERMS } from '../core/actuation.js';
import type { Controller } from './controller.js';

/** Options for {@link createFixedController}. */
export interface FixedOptions {
  /** The constant noise std. Defaults to 0.1, the seed program's N(0, 0.1). */
  readonly sigma?: number;
}

/** The fixed controller keeps no state. */
export type FixedState = Record<string, never>;

/**
 * Open loop: the same σ every epoch, whatever the loss does. This is the seed's behaviour and
 * the baseline every feedback controller is compared against.
 *
 * @example
 * const fixed = createFixedController({ sigma: 0.1 });
 * fixed.step(fixed.init(0.1), { measurement: 9, raw: 9, band: { lo: 0.3, hi: 0.4 }, dt: 1 }).sigma; // 0.1
 */
export function createFixedController(options: FixedOptions = {}): Controller<FixedState> {
  const sigma = options.sigma ?? 0.1;
  if (!(sigma >= 0 && Number.isFinite(sigma))) throw new RangeError(`Invalid fixed sigma: ${sigma}`);
  return {
    type: 'fixed',
    init: () => ({}),
    step: (state) => ({ state, sigma, terms: ZERO_TERMS }),
  };
}
