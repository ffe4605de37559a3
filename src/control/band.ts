/** The target interval for the controlled loss: `lo < hi`, both finite and non-negative. */
export interface Band {
  readonly lo: number;
  readonly hi: number;
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
  return (band.lo + band.hi) / 2;
}
