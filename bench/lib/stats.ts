import seedrandom from 'seedrandom';

/** Median of a non-empty sample (mean of the middle two for even sizes). */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile `q` ∈ [0, 1] of a non-empty sample. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) throw new RangeError('quantile of an empty sample');
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

/** Median of the element-wise ratios a[i]/b[i] — robust to drift shared by a pair. */
export function medianRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / (b[i] as number)));
}

/**
 * Percentile-bootstrap interval of the median: `level` (e.g. 0.95) of the medians of
 * `resamples` resamples with replacement, drawn from a fixed seed so the bench's table is
 * reproducible from its data.
 */
export function bootstrapMedianInterval(
  xs: readonly number[],
  level = 0.95,
  resamples = 4000,
): { lo: number; hi: number } {
  const rng = seedrandom('lossband-bench');
  const medians: number[] = [];
  for (let r = 0; r < resamples; r++) {
    medians.push(median(xs.map(() => xs[Math.floor(rng() * xs.length)] as number)));
  }
  return { lo: quantile(medians, (1 - level) / 2), hi: quantile(medians, 1 - (1 - level) / 2) };
}
