/** The target interval for the controlled loss: see {@link bandProblem} for what is valid. */
export interface Band {
  readonly lo: number;
  readonly hi: number;
}

/**
 * Narrowest band accepted anywhere. Controllers normalise their error by the width, so a
 * denormal width (`{lo: 0, hi: 5e-324}`) would make the error infinite and σ NaN.
 */
export const MIN_BAND_WIDTH = 1e-6;

/**
 * Largest band edge accepted anywhere. Far above any loss a run can hold, and far enough below
 * `Number.MAX_VALUE` that sums and products of edges stay finite (`{lo: 1e308, hi: 1.7e308}`
 * once made σ NaN for good).
 */
export const MAX_BAND_VALUE = 1e9;

/** What is wrong with a band, naming the edge, or `undefined` when it is valid. */
export interface BandProblem {
  readonly key: 'lo' | 'hi';
  readonly message: string;
}

/**
 * The one rule for bands, used by the config schema, the control API and the loop alike:
 * both edges finite numbers in [0, {@link MAX_BAND_VALUE}], `lo < hi`, and `hi − lo` at least
 * {@link MIN_BAND_WIDTH}.
 *
 * @example
 * bandProblem({ lo: 0.4, hi: 0.3 }); // { key: 'lo', message: 'lo must be less than hi' }
 */
export function bandProblem(band: { readonly lo: unknown; readonly hi: unknown }): BandProblem | undefined {
  for (const key of ['lo', 'hi'] as const) {
    const v = band[key];
    if (typeof v !== 'number' || !Number.isFinite(v))
      return { key, message: 'Invalid input: expected a finite number' };
    if (v < 0) return { key, message: 'Too small: expected number to be >=0' };
    if (v > MAX_BAND_VALUE) return { key, message: `Too big: expected number to be <=${MAX_BAND_VALUE}` };
  }
  const { lo, hi } = band as Band;
  if (!(lo < hi)) return { key: 'lo', message: 'lo must be less than hi' };
  if (hi - lo < MIN_BAND_WIDTH) return { key: 'hi', message: `hi - lo must be at least ${MIN_BAND_WIDTH}` };
  return undefined;
}

/**
 * Returns a copy of `band` if it is valid (see {@link bandProblem}), else throws a `RangeError`
 * naming the edge.
 *
 * @example
 * assertBand({ lo: 0.3, hi: 0.4 }); // { lo: 0.3, hi: 0.4 }
 */
export function assertBand(band: Band): Band {
  const problem = bandProblem(band);
  if (problem) throw new RangeError(`Invalid band [${band.lo}, ${band.hi}]: ${problem.key}: ${problem.message}`);
  return { lo: band.lo, hi: band.hi };
}

/**
 * Whether `value` lies in the closed band. NaN is never in band.
 *
 * @example
 * inBand(0.35, { lo: 0.3, hi: 0.4 }); // true
 */
export function inBand(value: number, band: Band): boolean {
  return value >= band.lo && value <= band.hi;
}

/**
 * Distance from `value` to the band (0 inside). Non-finite values count as +Infinity.
 *
 * @example
 * bandDistance(0.45, { lo: 0.3, hi: 0.4 }); // 0.05
 */
export function bandDistance(value: number, band: Band): number {
  if (!Number.isFinite(value)) return Infinity;
  if (value < band.lo) return band.lo - value;
  if (value > band.hi) return value - band.hi;
  return 0;
}

/** Midpoint of the band. */
export function bandMid(band: Band): number {
  return band.lo + (band.hi - band.lo) / 2;
}
