/** Options for {@link createPlantGainEstimator}. */
export interface PlantGainOptions {
  /**
   * Gain assumed before any informative move, band widths per unit ln σ. Defaults to 1: runs
   * start at small σ, where the noise barely moves the loss (Iris at σ ≈ 0.7 shows ≈ 6).
   */
  readonly prior?: number;
  /** Lower clamp of the estimate. Defaults to 0.5. */
  readonly min?: number;
  /** Upper clamp of the estimate. Defaults to 30. */
  readonly max?: number;
  /** EMA weight of a fully informative sample. Defaults to 0.5: the gain changes fast while σ climbs. */
  readonly rate?: number;
  /** |Δ ln σ| at which a sample counts fully; smaller moves count by (Δu/this)². Defaults to 0.1. */
  readonly informativeMove?: number;
}

/** Estimator state: plain JSON. */
export interface PlantGainState {
  /** EMA of Δu·Δy and of Δu² (Δy in band widths); they start as one informative move at the prior gain. */
  readonly uy: number;
  readonly uu: number;
  /** ln σ and raw loss of the last finite epoch; null before it. */
  readonly lastU: number | null;
  readonly lastY: number | null;
}

/** The estimator: fold in (ln σ applied, raw loss, band width) per epoch, read the gain. */
export interface PlantGainEstimator {
  /** State before any move: one informative move at `gain` (clamped), or at the prior. */
  init(gain?: number): PlantGainState;
  step(state: PlantGainState, u: number, y: number, width: number): PlantGainState;
  /** Current estimate, clamped to [min, max]. */
  gain(state: PlantGainState): number;
}

/**
 * Measures the local plant gain ∂loss/∂ln σ, in band widths per unit ln σ, from the loop's own
 * moves. Input noise acts within the epoch it is applied, so each epoch's change of the raw loss
 * pairs with that epoch's change of ln σ: the estimate is the EMA regression Σ Δu·Δy / Σ Δu²,
 * each sample weighted by how large its move was, so that a steady σ (no information) keeps the
 * last estimate instead of drifting into jitter. The descent of the clean loss biases the
 * estimate low while σ climbs; the clamp turns a negative reading into "barely responds".
 *
 * Why: the gain grows ≈ 2 × (loss the noise adds), from ~0 at σ ≈ 0.01 to ≈ 6 band widths per
 * unit ln σ on Iris at [0.3, 0.4]. A controller that divides its integral step by it climbs out
 * of the ineffective range at its rate limit, and slows down as soon as σ starts to bite.
 *
 * @example
 * const est = createPlantGainEstimator();
 * let s = est.init();
 * s = est.step(s, Math.log(0.5), 0.30, 0.1);
 * s = est.step(s, Math.log(0.5) + 0.2, 0.42, 0.1);
 * est.gain(s); // 5: half-way from the prior (1) to this move's 1.2 band widths / 0.2 = 6
 */
export function createPlantGainEstimator(options: PlantGainOptions = {}): PlantGainEstimator {
  const { prior = 1, min = 0.5, max = 30, rate = 0.5, informativeMove = 0.1 } = options;
  if (!(min > 0 && min <= prior && prior <= max && Number.isFinite(max))) {
    throw new RangeError(`Invalid plant gain limits: min ${min}, prior ${prior}, max ${max}`);
  }
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`Invalid plant gain rate: ${rate}`);
  if (!(informativeMove > 0)) throw new RangeError(`Invalid plant gain informativeMove: ${informativeMove}`);
  return {
    init: (gain?: number) => {
      const g = gain !== undefined && Number.isFinite(gain) ? Math.min(max, Math.max(min, gain)) : prior;
      return { uy: g * informativeMove ** 2, uu: informativeMove ** 2, lastU: null, lastY: null };
    },
    step(s, u, y, width) {
      if (!Number.isFinite(u) || !Number.isFinite(y)) return s;
      const next = { ...s, lastU: u, lastY: y };
      if (s.lastU === null || s.lastY === null) return next;
      const du = u - s.lastU;
      const dy = (y - s.lastY) / width;
      const w = rate * Math.min(1, (du / informativeMove) ** 2);
      if (w === 0) return next;
      return { ...next, uy: s.uy + w * (du * dy - s.uy), uu: s.uu + w * (du * du - s.uu) };
    },
    gain: (s) => Math.min(max, Math.max(min, s.uy / s.uu)),
  };
}
