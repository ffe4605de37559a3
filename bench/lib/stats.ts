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
 * Two-sample Hodges–Lehmann estimate of how `a` compares with `b` as a ratio: the median of
 * every ratio a[i] / b[j] (the shift between the samples on a log scale, robust to a few slow
 * windows and nearly as efficient as the ratio of means when there are none), with a
 * percentile-bootstrap interval that resamples each sample on its own, from a fixed seed.
 */
export function hodgesLehmannRatio(
  a: readonly number[],
  b: readonly number[],
  level = 0.95,
  resamples = 2000,
): { estimate: number; lo: number; hi: number } {
  const la = a.map(Math.log);
  const lb = b.map(Math.log);
  const shift = (xs: readonly number[], ys: readonly number[]) => median(xs.flatMap((x) => ys.map((y) => x - y)));
  const rng = seedrandom('lossband-bench');
  const pick = (xs: readonly number[]) => xs.map(() => xs[Math.floor(rng() * xs.length)] as number);
  const shifts: number[] = [];
  for (let r = 0; r < resamples; r++) shifts.push(shift(pick(la), pick(lb)));
  return {
    estimate: Math.exp(shift(la, lb)),
    lo: Math.exp(quantile(shifts, (1 - level) / 2)),
    hi: Math.exp(quantile(shifts, 1 - (1 - level) / 2)),
  };
}
