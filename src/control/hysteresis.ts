import { ZERO_TERMS } from '../core/actuation.js';
import type { Controller } from './controller.js';

/** Options for {@link createHysteresisController}. */
export interface HysteresisOptions {
  /**
   * σ is multiplied (raised) or divided (lowered) by this per change. Defaults to 1.05: late in
   * training the noise carries most of the loss (≈ 0.3 of 0.35) and its share grows as σ², so a
   * 5 % σ step already moves the loss by ≈ 0.3 band widths; larger steps jump across the band.
   */
  readonly factor?: number;
  /** Minimum epochs between two changes, so the loss can answer the last one. Defaults to 2. */
  readonly dwell?: number;
  /** Lower limit for σ (> 0, as σ is scaled multiplicatively). Defaults to 0.1, like the PID's. */
  readonly sigmaMin?: number;
  /** Upper limit for σ. Defaults to 10. */
  readonly sigmaMax?: number;
}

/** Hysteresis state: plain JSON. */
export interface HysteresisState {
  readonly sigma: number;
  /** Epochs since σ last changed. */
  readonly sinceChange: number;
}

/**
 * Multiplicative bang-bang with dwell: while the filtered loss is below the band, raise σ by
 * `factor`; while above, lower it; inside, hold. Between changes at least `dwell` epochs pass.
 * The band itself is the hysteresis: nothing moves while the loss stays inside it.
 *
 * @example
 * const h = createHysteresisController({ factor: 1.1, dwell: 1 });
 * const out = h.step(h.init(0.5), { measurement: 0.2, raw: 0.2, band: { lo: 0.3, hi: 0.4 }, dt: 1 });
 * out.sigma; // 0.55
 */
export function createHysteresisController(options: HysteresisOptions = {}): Controller<HysteresisState> {
  const { factor = 1.05, dwell = 2, sigmaMin = 0.1, sigmaMax = 10 } = options;
  if (!(factor > 1 && Number.isFinite(factor))) throw new RangeError(`Invalid hysteresis factor: ${factor}`);
  if (!(dwell >= 0 && Number.isFinite(dwell))) throw new RangeError(`Invalid hysteresis dwell: ${dwell}`);
  if (!(sigmaMin > 0 && sigmaMin < sigmaMax && Number.isFinite(sigmaMax))) {
    throw new RangeError(`Invalid hysteresis sigma limits: sigmaMin ${sigmaMin}, sigmaMax ${sigmaMax}`);
  }
  const clamp = (s: number): number => Math.min(sigmaMax, Math.max(sigmaMin, s));
  return {
    type: 'hysteresis',
    // The first decision may come right away: the run has not changed σ yet.
    init: (sigma) => ({ sigma: clamp(sigma), sinceChange: dwell }),
    step(state, { measurement, band, dt }) {
      const since = state.sinceChange + dt;
      const direction = measurement < band.lo ? 1 : measurement > band.hi ? -1 : 0;
      if (direction === 0 || since < dwell || !Number.isFinite(measurement)) {
        return { state: { sigma: state.sigma, sinceChange: since }, sigma: state.sigma, terms: ZERO_TERMS };
      }
      const sigma = clamp(direction > 0 ? state.sigma * factor : state.sigma / factor);
      const changed = sigma !== state.sigma;
      return { state: { sigma, sinceChange: changed ? 0 : since }, sigma, terms: ZERO_TERMS };
    },
  };
}
