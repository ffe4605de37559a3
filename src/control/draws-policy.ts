import type { Band } from '../core/band.js';

/** Options for {@link createDrawsPolicy}. */
export interface DrawsPolicyOptions {
  /** `'auto'`, or a fixed K (integer ≥ 1) used every epoch. Defaults to `'auto'`. */
  readonly mode?: number | 'auto';
  /** Largest K `'auto'` may choose. Defaults to 16. */
  readonly maxDraws?: number;
  /**
   * Largest acceptable per-epoch jitter std, as a fraction of the band width. Defaults to 1/7:
   * the half-width is then 3.5 jitter std, leaving room for the controller's own ripple while
   * ≥ 99 % of raw epochs stay in band. (Iris at σ ≈ 0.7, one draw: 0.044 vs 0.1 → K = 10.)
   */
  readonly jitterTarget?: number;
  /**
   * Rate of the jitter estimate: the EMA weight of each squared residual, or with `robust` the
   * quantile tracker's up-step in ln variance / 2. Defaults to 0.08: the tracker climbs a decade
   * of variance in ≈ 15 epochs after σ starts to bite, and strays ≈ ±25 %, which the headroom absorbs.
   */
  readonly smoothing?: number;
  /**
   * How the jitter depends on σ. `'proportional'`: std ∝ σ/√K, as in full-batch training, where
   * the noise draws are the only randomness; the estimate is kept per unit σ, so K follows σ
   * at once (the climb after first entry is fast). `'constant'`: std ∝ 1/√K whatever σ (e.g.
   * minibatch noise dominates). Defaults to `'proportional'`.
   */
  readonly jitterModel?: 'proportional' | 'constant';
  /** Residuals seen before the first decision. Defaults to 10. */
  readonly warmup?: number;
  /** Minimum epochs between two changes of K. Defaults to 20. */
  readonly dwell?: number;
  /**
   * Hysteresis on K, as a variance ratio h ≥ 1; `needed` is the fractional K that just meets
   * `jitterTarget`. K is raised to ⌈h · needed⌉ once needed > h · K. It is lowered to
   * ⌈h² · needed⌉ once that is ≤ K/2 for `dwell` epochs in a row. Defaults to 1.5: the jitter
   * estimate (≈ 60 residuals) strays ±20 % and, rarely, by half, and K should still change only
   * a few times per run.
   */
  readonly headroom?: number;
  /**
   * After the warm-up, estimate the jitter from the 80th percentile of the residuals (tracked in
   * ln steps of `smoothing`), not their mean square: optimiser spikes (raw-scale data: 4–8 % of
   * epochs jump by more than the band) are not noise jitter, and more copies would not average
   * them away. `false`: the mean square (EMA). Defaults to `true`.
   */
  readonly robust?: boolean;
  /**
   * Half-widths of jitter a band needs to be held (recent in-band share ≥ 0.9 needs ≈ 1.645 std
   * each side): the band is reported too narrow when width < this × 2 × the jitter at the largest
   * allowed K. Defaults to 1.645.
   */
  readonly holdable?: number;
  /** Consecutive epochs the band must look too narrow before it is reported. Defaults to 50. */
  readonly narrowAfter?: number;
}

/** Draws-policy state: plain JSON. */
export interface DrawsState {
  /** K for the next epoch. */
  readonly draws: number;
  /** The last two finite raw values (oldest first), with the K and σ each was measured with. */
  readonly history: readonly { readonly raw: number; readonly draws: number; readonly sigma: number }[];
  /** EMA estimate of the one-draw jitter variance (per unit σ² if proportional); null before the first. */
  readonly oneDrawVariance: number | null;
  readonly samples: number;
  readonly sinceChange: number;
  /** Consecutive epochs the estimate has allowed lowering K (lowering needs `dwell` of them). */
  readonly lowFor: number;
  /** Consecutive epochs the jitter at the largest allowed K was too wide for the band (absent in older states). */
  readonly narrowFor?: number;
}

/** What the policy sees after each epoch. */
export interface DrawsInput {
  /** Raw (unfiltered) controlled loss of the epoch. */
  readonly raw: number;
  /** K that epoch ran with. */
  readonly draws: number;
  /** σ that epoch ran with. */
  readonly sigma: number;
  /** σ the next epoch will run with. */
  readonly nextSigma: number;
  /** Band in force. */
  readonly band: Band;
}

/**
 * The robust estimate tracks the 80th percentile of the squared residuals: for z ~ N(0, 1) it is
 * 1.2816² = 1.6424 × the variance. Higher than the median, so the heavier-than-Gaussian tails of
 * real jitter still count (the median read Iris's jitter 20 % low); low enough that spikes in a
 * few per cent of epochs shift it little.
 */
const QUANTILE = 0.8;
const QUANTILE_SQUARED = 1.6424;

/** Chooses `noise.draws` (K noisy copies per sample) epoch by epoch. */
export interface DrawsPolicy {
  init(draws?: number): DrawsState;
  step(state: DrawsState, input: DrawsInput): DrawsState;
  /** Predicted per-epoch jitter std of the raw loss at σ with K copies; NaN before an estimate. */
  jitter(state: DrawsState, sigma: number, draws: number): number;
  /** The largest K this policy may use. */
  readonly maxDraws: number;
  /** Whether the band has looked narrower than the jitter at `maxDraws` allows for `narrowAfter` epochs. */
  tooNarrow(state: DrawsState): boolean;
}

/**
 * Variance-aware draws. Averaging the loss over K noisy copies divides its jitter variance by K,
 * so the RAW per-epoch loss, not only the smoothed one, can stay in band. `'auto'` estimates the
 * one-draw jitter from second differences of the raw loss (which cancel the descent; each is
 * rescaled by the K and σ of its three epochs), predicts it for the next epoch's σ, and picks
 * the smallest K whose jitter std is at most `jitterTarget` × band width, with hysteresis and
 * dwell so K changes rarely.
 *
 * @example
 * const policy = createDrawsPolicy({ mode: 'auto' });
 * let s = policy.init();
 * for (const raw of losses) s = policy.step(s, { raw, draws: s.draws, band, sigma: 0.7, nextSigma: 0.7 });
 * s.draws; // 1 when the jitter is small next to the band, more when it is not
 */
export function createDrawsPolicy(options: DrawsPolicyOptions = {}): DrawsPolicy {
  const {
    mode = 'auto',
    jitterModel = 'proportional',
    maxDraws = 16,
    jitterTarget = 1 / 7,
    smoothing = 0.08,
    warmup = 10,
    dwell = 20,
    headroom = 1.5,
  } = options;
  const { robust = true, holdable = 1.645, narrowAfter = 50 } = options;
  if (mode !== 'auto' && !(Number.isInteger(mode) && mode >= 1))
    throw new RangeError(`Invalid draws: ${mode} (expected 'auto' or an integer >= 1)`);
  if (jitterModel !== 'proportional' && jitterModel !== 'constant')
    throw new RangeError(`Invalid jitterModel: ${String(jitterModel)}`);
  if (!(Number.isInteger(maxDraws) && maxDraws >= 1)) throw new RangeError(`Invalid maxDraws: ${maxDraws}`);
  if (!(jitterTarget > 0)) throw new RangeError(`Invalid jitterTarget: ${jitterTarget}`);
  if (!(smoothing > 0 && smoothing <= 1)) throw new RangeError(`Invalid draws smoothing: ${smoothing}`);
  if (!(headroom >= 1)) throw new RangeError(`Invalid draws headroom: ${headroom}`);
  const scale = (sigma: number): number => (jitterModel === 'proportional' ? sigma * sigma : 1);
  const clampK = (k: number): number => Math.min(maxDraws, Math.max(1, Math.ceil(k)));
  const cap = mode === 'auto' ? maxDraws : mode;
  const jitter = (s: DrawsState, sigma: number, draws: number): number =>
    s.oneDrawVariance === null ? NaN : Math.sqrt((s.oneDrawVariance * scale(sigma)) / draws);
  return {
    maxDraws: cap,
    jitter,
    tooNarrow: (s) => (s.narrowFor ?? 0) >= narrowAfter,
    init: (draws = mode === 'auto' ? 1 : mode) => ({
      draws,
      history: [],
      oneDrawVariance: null,
      samples: 0,
      sinceChange: 0,
      lowFor: 0,
      narrowFor: 0,
    }),
    step(s, { raw, draws, band, sigma, nextSigma }) {
      if (!Number.isFinite(raw)) return s;
      const sinceChange = s.sinceChange + 1;
      const [a, b] = s.history;
      const history = [...s.history.slice(-1), { raw, draws, sigma }];
      if (a === undefined || b === undefined) return { ...s, history, sinceChange };
      // The second difference cancels the (locally linear) descent; white jitter of variance
      // v·scale(σ)/K gives it variance v·(scale₀/K₀ + 4·scale₁/K₁ + scale₂/K₂).
      const curvature = raw - 2 * b.raw + a.raw;
      const spread = scale(a.sigma) / a.draws + (4 * scale(b.sigma)) / b.draws + scale(sigma) / draws;
      if (!(spread > 0)) return { ...s, history, sinceChange }; // σ = 0: no noise, nothing to average
      const oneDraw = (curvature * curvature) / spread;
      let variance: number;
      if (s.oneDrawVariance === null) variance = oneDraw;
      else if (s.samples < warmup)
        variance = s.oneDrawVariance + (oneDraw - s.oneDrawVariance) / (s.samples + 1); // mean of the warm-up
      else if (!robust) variance = s.oneDrawVariance + smoothing * (oneDraw - s.oneDrawVariance);
      // Quantile tracking: a residual beyond the quantile moves the estimate up one step, whatever its size.
      else
        variance =
          s.oneDrawVariance *
          Math.exp(
            (2 * smoothing * (oneDraw > QUANTILE_SQUARED * s.oneDrawVariance ? QUANTILE : QUANTILE - 1)) / QUANTILE,
          );
      const width = band.hi - band.lo;
      const capJitter = Math.sqrt((variance * scale(nextSigma)) / cap);
      const narrowFor = s.samples + 1 >= warmup && 2 * holdable * capJitter > width ? (s.narrowFor ?? 0) + 1 : 0;
      if (mode !== 'auto')
        return {
          ...s,
          draws: mode,
          history,
          oneDrawVariance: variance,
          samples: s.samples + 1,
          sinceChange,
          narrowFor,
        };
      const target = jitterTarget * (band.hi - band.lo);
      const needed = (variance * scale(nextSigma)) / (target * target);
      const lowFor = headroom * headroom * needed <= s.draws / 2 && s.draws > 1 ? s.lowFor + 1 : 0;
      const next: DrawsState = {
        draws: s.draws,
        history,
        oneDrawVariance: variance,
        samples: s.samples + 1,
        sinceChange,
        lowFor,
        narrowFor,
      };
      if (next.samples < warmup || sinceChange < dwell) return next;
      // Raise as soon as the jitter exceeds the target; lower only after a sustained drop.
      const raise = needed > headroom * s.draws && s.draws < maxDraws;
      if (!raise && lowFor < dwell) return next;
      // A low reading lands with double headroom, so the next noisy high one does not raise K again.
      const draws2 = clampK((raise ? headroom : headroom * headroom) * needed);
      return draws2 === s.draws ? next : { ...next, draws: draws2, sinceChange: 0, lowFor: 0 };
    },
  };
}
