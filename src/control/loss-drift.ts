/** Options of {@link stepDrift}. */
export interface DriftOptions {
  /** EMA weight of the newest drift sample, in (0, 1]. Defaults to 0.5: the drift shrinks fast while a model converges. */
  readonly rate?: number;
  /**
   * Largest |Δ ln σ| between two epochs whose loss change counts as drift while the gain of
   * the loss in ln σ is unknown (the σ change is then taken to have moved nothing). Defaults
   * to 0.5 (the pid's largest step): at the small σ a run starts with, the loss barely answers σ.
   */
  readonly unknownGainMove?: number;
  /** EMA weight of the newest squared deviation in the samples' spread. Defaults to 0.25. */
  readonly spreadRate?: number;
  /**
   * Weight of the newest loss in the level (the loss without the weights' epoch-to-epoch
   * jitter), against the level the last one and the drift predicted. Defaults to 0.5.
   */
  readonly levelRate?: number;
}

/** Drift estimator state: plain JSON. */
export interface DriftState {
  /** EMA of the drift, loss per epoch at a fixed σ; null before the first sample. */
  readonly drift: number | null;
  /** Exponentially weighted variance of the drift samples about the estimate (0 after one sample). */
  readonly spread: number;
  /** The loss at the reference point's σ without the jitter of the reference's weights; null before. */
  readonly level: number | null;
  /** Slope of the loss in ln σ (loss per unit ln σ) to discount σ's own moves with; null while unknown. */
  readonly gain: number | null;
  /** ln σ and loss of the last reference point: the last epoch, or where a search left the weights; null before. */
  readonly last: { readonly u: number; readonly loss: number } | null;
}

/** The estimator before any epoch. */
export const DRIFT_EMPTY: DriftState = Object.freeze({ drift: null, spread: 0, level: null, gain: null, last: null });

/**
 * Folds one epoch's measurement into the estimate of the loss's **drift**: how much the loss
 * at a fixed σ moves per epoch because the model learns (negative while it learns). The
 * sample is the change of the loss since the reference point minus what the change of σ
 * explains (`gain` × Δ ln σ); it is exact when σ did not move, or when the reference is the
 * point a σ search measured on the same weights ({@link rebaseDrift}).
 *
 * Why: σ acts within the epoch it is applied, but the weights keep learning in that epoch
 * too. A σ chosen to put the *current* weights' loss mid-band lands the next epoch's loss one
 * drift lower: on a model that learns fast (example (a) in epochs 2–9, ≈ half a band width an
 * epoch) below the band. Knowing the drift lets a search aim where the loss will be.
 *
 * @example
 * let s = DRIFT_EMPTY;
 * s = stepDrift(s, { u: Math.log(0.5), loss: 0.4 });
 * s = stepDrift(s, { u: Math.log(0.5), loss: 0.34 });
 * s.drift; // −0.06: the loss fell 0.06 in an epoch at the same σ
 */
export function stepDrift(
  state: DriftState,
  epoch: { u: number; loss: number },
  options: DriftOptions = {},
): DriftState {
  const { rate = 0.5, unknownGainMove = 0.5, spreadRate = 0.25, levelRate = 0.5 } = options;
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`Invalid drift rate: ${rate}`);
  if (!(spreadRate > 0 && spreadRate <= 1)) throw new RangeError(`Invalid drift spreadRate: ${spreadRate}`);
  if (!(levelRate > 0 && levelRate <= 1)) throw new RangeError(`Invalid drift levelRate: ${levelRate}`);
  if (!Number.isFinite(epoch.u) || !Number.isFinite(epoch.loss)) return state;
  const next = { ...state, last: { u: epoch.u, loss: epoch.loss }, level: epoch.loss };
  const last = state.last;
  if (last === null) return next;
  const du = epoch.u - last.u;
  if (state.gain === null && Math.abs(du) > unknownGainMove) return next;
  const moved = (state.gain ?? 0) * du;
  const sample = epoch.loss - last.loss - moved;
  if (state.drift === null) return { ...next, drift: sample, spread: 0 };
  // The level the last one and the drift predict for this epoch, pulled towards what it measured.
  const expected = (state.level ?? last.loss) + moved + (trustedDrift(state, options) ?? 0);
  const level = expected + levelRate * (epoch.loss - expected);
  const dev = sample - state.drift;
  return {
    ...next,
    level,
    drift: state.drift + rate * dev,
    spread: (1 - spreadRate) * (state.spread + spreadRate * dev * dev),
  };
}

/**
 * The part of the reference point's loss that the weights' jitter put there, and that the
 * next epoch's weights are expected to give back: the loss minus its level. Why: on example
 * (a) the loss at a fixed σ jitters ±0.014 an epoch about a slowly falling level, and
 * consecutive changes are anti-correlated (−0.54): what one epoch's weights gained by chance
 * the next lose. A search on the reference weights measures their jitter with the loss, so its
 * aim is moved by it: a loss that left the band by chance is not chased across to the other edge.
 *
 * @example
 * jitterOf({ ...DRIFT_EMPTY, level: 0.28, last: { u: 0, loss: 0.24 } }); // −0.04
 */
export function jitterOf(state: DriftState): number {
  return state.last === null || state.level === null ? 0 : state.last.loss - state.level;
}

/**
 * The drift with its own noise taken off: the estimate shrunk towards 0 by its standard error
 * (the samples' spread through the EMA). Why: once a model has learnt, what is left of the
 * epoch-to-epoch change at a fixed σ is the weights' jitter — a loss ±0.01–0.02 from one epoch
 * to the next on example (a), that returns as often as it goes. Raw, it would read as drift
 * and send σ after every jitter; shrunk, it counts only while the fall is larger than the
 * jitter, as in the first epochs.
 *
 * @example
 * trustedDrift({ ...DRIFT_EMPTY, drift: -0.05, spread: 0.0003 }); // −0.04 (std error 0.01)
 */
export function trustedDrift(state: DriftState, options: DriftOptions = {}): number | null {
  const d = state.drift;
  if (d === null) return null;
  const rate = options.rate ?? 0.5;
  const error = Math.sqrt((state.spread * rate) / (2 - rate));
  return Math.sign(d) * Math.max(0, Math.abs(d) - error) + 0; // + 0 turns −0 into 0
}

/**
 * Moves the reference point to where a σ search left the same weights: the next epoch's
 * loss at that σ minus `loss` is then pure drift. `gain` (loss per unit ln σ, from the search)
 * replaces the one σ's moves are discounted with, when it is finite and positive.
 *
 * @example
 * s = rebaseDrift(s, { u: Math.log(0.8), loss: 0.33, gain: 0.12 });
 */
export function rebaseDrift(state: DriftState, point: { u: number; loss: number; gain?: number }): DriftState {
  if (!Number.isFinite(point.u) || !Number.isFinite(point.loss)) return state;
  const g = point.gain;
  // The same weights at another σ: the level moves by what the search measured, jitter kept.
  const level = state.level === null || state.last === null ? null : state.level + point.loss - state.last.loss;
  return {
    ...state,
    level,
    last: { u: point.u, loss: point.loss },
    gain: g !== undefined && Number.isFinite(g) && g > 0 ? g : state.gain,
  };
}

/**
 * The loss to aim a σ search at so that the *next* epoch's loss meets the band's middle: the
 * middle minus the drift one epoch adds, kept at least `margin` band widths inside the band
 * (an overestimated drift must not aim out of it). With no drift known, the middle.
 *
 * @example
 * aimFor({ lo: 0.25, hi: 0.35 }, -0.06); // 0.33: the next epoch's learning takes ≈ 0.06 off
 */
export function aimFor(band: { lo: number; hi: number }, drift: number | null, margin = 0.2): number {
  const mid = (band.lo + band.hi) / 2;
  if (drift === null || !Number.isFinite(drift)) return mid;
  const w = band.hi - band.lo;
  return Math.min(band.hi - margin * w, Math.max(band.lo + margin * w, mid - drift));
}
