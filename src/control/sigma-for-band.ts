import type { Band } from '../core/band.js';

/**
 * The σ at which `lossAt(σ)` meets the middle of the band, by bisection on log σ within
 * `[limits.min, limits.max]`; `limits.max` when even that stays below the middle. `lossAt`
 * must rise with σ (more input noise, higher loss) and should be a fixed-draw measure, so
 * that two calls at one σ agree. A non-finite loss counts as above the band.
 *
 * `iterations` halvings of the log range: 8 put σ within a factor (max/min)^(1/256) of the
 * crossing (1.8 % for the default [0.1, 10]), at the cost of 9 evaluations.
 *
 * @example
 * sigmaForBand((s) => 0.1 + s * s, { lo: 0.3, hi: 0.4 }, { min: 0.1, max: 10 }); // ≈ 0.5
 */
export function sigmaForBand(
  lossAt: (sigma: number) => number,
  band: Band,
  limits: { readonly min: number; readonly max: number },
  iterations = 8,
): number {
  const middle = (band.lo + band.hi) / 2;
  const above = (sigma: number): boolean => !(lossAt(sigma) <= middle);
  if (!above(limits.max)) return limits.max;
  let lo = Math.log(limits.min);
  let hi = Math.log(limits.max);
  for (let i = 0; i < iterations; i++) {
    const mid = (lo + hi) / 2;
    if (above(Math.exp(mid))) hi = mid;
    else lo = mid;
  }
  return Math.exp((lo + hi) / 2);
}
