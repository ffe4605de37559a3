import type { Band } from '../core/band.js';
import type { BandStatus } from '../core/band-status.js';

export type { BandStatus } from '../core/band-status.js';
export { BAND_STATUSES } from '../core/band-status.js';

/** Options for {@link stepVerdict}. */
export interface VerdictOptions {
  /** Epochs σ must sit at its ceiling, filtered loss below the band, before `unreachable-above`. Defaults to 20. */
  readonly saturation?: number;
  /** Epochs at the σ floor, filtered loss above the band, per progress check. Defaults to 100. */
  readonly window?: number;
  /** A window's descent must reach the band within this many more windows. Defaults to 10. */
  readonly horizon?: number;
  /** EMA weight of each epoch in the recent in-band share. Defaults to 0.02 (≈ 50 epochs). */
  readonly shareRate?: number;
  /** Recent in-band share at or above which the band counts as held. Defaults to 0.9. */
  readonly heldShare?: number;
}

/** The defaults of {@link VerdictOptions}. */
export const DEFAULT_VERDICT_OPTIONS: Readonly<Required<VerdictOptions>> = Object.freeze({
  saturation: 20,
  window: 100,
  horizon: 10,
  shareRate: 0.02,
  heldShare: 0.9,
});

/** Verdict state: plain JSON, checkpointed with the loop. */
export interface VerdictState {
  readonly status: BandStatus;
  /** Consecutive epochs with σ at its ceiling and the filtered loss below the band. */
  readonly atCeilingFor: number;
  /** Consecutive epochs with σ at its floor and the filtered loss above the band. */
  readonly atFloorFor: number;
  /** Filtered loss when the current floor window began; null outside such a run. */
  readonly windowStart: number | null;
  /** Whether the last completed floor window judged the band out of reach. */
  readonly stalled: boolean;
  /** EMA of "raw loss in band" since the first entry; null before it. */
  readonly share: number | null;
}

/** What {@link stepVerdict} sees after each finite epoch. */
export interface VerdictInput {
  /** Raw controlled loss of the epoch. */
  readonly raw: number;
  /** Filtered controlled loss after the epoch. */
  readonly smoothed: number;
  /** Band the epoch was judged against. */
  readonly band: Band;
  /** σ the epoch ran with. */
  readonly sigma: number;
  /** The controller's σ limits; null for controllers that do not steer σ (fixed, flooding). */
  readonly limits: { readonly min: number; readonly max: number } | null;
  /** Chance-level loss (ln classes for cross-entropy); undefined when unknown. */
  readonly chanceLoss?: number | undefined;
}

/** The verdict before the first epoch. */
export const INITIAL_VERDICT: VerdictState = Object.freeze({
  status: 'not-held',
  atCeilingFor: 0,
  atFloorFor: 0,
  windowStart: null,
  stalled: false,
  share: null,
});

/** The band's lower edge is above chance level: no amount of noise holds the loss there. */
export function aboveChance(band: Band, chanceLoss: number | undefined): boolean {
  return chanceLoss !== undefined && band.lo > chanceLoss;
}

/**
 * Folds one epoch into the verdict (a pure reducer). Nothing latches: after a band change,
 * or once the loss answers, the verdict follows. Bounds, with the defaults: a band above
 * chance level is reported at the first epoch; a band above what σ = max reaches, 20 epochs
 * after σ first sits at max with the filtered loss below the band; a band below the loss at
 * σ = min, 100 epochs after σ first sits at min with the filtered loss above the band, unless
 * the loss is on course to enter within 1000 epochs.
 *
 * @example
 * let v = INITIAL_VERDICT;
 * v = stepVerdict(v, { raw: 0.9, smoothed: 0.9, band: { lo: 1.5, hi: 1.6 }, sigma: 0.1, limits: { min: 0.1, max: 10 }, chanceLoss: Math.log(3) });
 * v.status; // 'unreachable-above'
 */
export function stepVerdict(state: VerdictState, input: VerdictInput, options: VerdictOptions = {}): VerdictState {
  const o = { ...DEFAULT_VERDICT_OPTIONS, ...options };
  const { raw, smoothed, band, sigma, limits } = input;
  const rawIn = raw >= band.lo && raw <= band.hi;
  const share = state.share === null ? (rawIn ? 1 : null) : state.share + o.shareRate * ((rawIn ? 1 : 0) - state.share);
  const atCeiling = limits !== null && sigma >= limits.max && smoothed < band.lo;
  const atCeilingFor = atCeiling ? state.atCeilingFor + 1 : 0;
  const atFloor = limits !== null && sigma <= limits.min && smoothed > band.hi;
  const atFloorFor = atFloor ? state.atFloorFor + 1 : 0;
  let windowStart = atFloor ? (state.windowStart ?? smoothed) : null;
  let stalled = atFloor && state.stalled;
  if (atFloor && atFloorFor % o.window === 0) {
    const descent = (windowStart as number) - smoothed;
    stalled = descent <= 0 || smoothed - band.hi > o.horizon * descent;
    windowStart = smoothed;
  }
  let status: BandStatus;
  if (aboveChance(band, input.chanceLoss) || atCeilingFor >= o.saturation) status = 'unreachable-above';
  else if (stalled) status = 'unreachable-below';
  else status = share !== null && share >= o.heldShare ? 'held' : 'not-held';
  return { status, atCeilingFor, atFloorFor, windowStart, stalled, share };
}

/**
 * The one-time warning for an unreachable verdict (undefined for `held` / `not-held`).
 *
 * @example
 * describeVerdict('unreachable-above', { lo: 1.5, hi: 1.6 }, { chanceLoss: Math.log(3), sigmaMax: 10 });
 * // 'band [1.5, 1.6] is unreachable: its lower edge is above chance-level loss ln(classes) = 1.099; …'
 */
export function describeVerdict(
  status: BandStatus,
  band: Band,
  context: {
    readonly chanceLoss?: number | undefined;
    readonly sigmaMin?: number;
    readonly sigmaMax?: number;
    readonly smoothed?: number;
  },
): string | undefined {
  const where = `band [${band.lo}, ${band.hi}]`;
  const loss = context.smoothed === undefined ? '' : ` (filtered loss ${context.smoothed.toPrecision(3)})`;
  if (status === 'unreachable-above') {
    if (aboveChance(band, context.chanceLoss)) {
      return (
        `${where} is unreachable: its lower edge is above chance-level loss ln(classes) = ${(context.chanceLoss as number).toFixed(3)}; ` +
        'no noise level holds a trained model there (choose a band below it)'
      );
    }
    return (
      `${where} is unreachable from below: σ has sat at noise.max = ${context.sigmaMax ?? '?'} and the loss stays under the band${loss}; ` +
      'raise noise.max, use noise.scale: feature on unstandardised data, or lower the band'
    );
  }
  if (status === 'unreachable-below') {
    return (
      `${where} is unreachable from above: σ sits at noise.min = ${context.sigmaMin ?? '?'} and the loss stays over the band${loss}, ` +
      'falling too slowly to enter it; lower noise.min, train longer or raise the band'
    );
  }
  return undefined;
}

/**
 * The one-time warning for a band too narrow for the draws budget.
 *
 * @example
 * describeNarrowBand({ lo: 0.33, hi: 0.35 }, { jitterAtCap: 0.009, maxDraws: 16 });
 * // 'band [0.33, 0.35] (width 0.02) is narrower than the loss jitter lets the loop hold: …'
 */
export function describeNarrowBand(
  band: Band,
  context: { readonly jitterAtCap: number; readonly maxDraws: number; readonly budget?: number },
): string {
  const width = band.hi - band.lo;
  const need = 2 * 1.645 * context.jitterAtCap;
  return (
    `band [${band.lo}, ${band.hi}] (width ${width.toPrecision(2)}) is narrower than the loss jitter lets the loop hold: ` +
    `measured jitter std ${context.jitterAtCap.toPrecision(2)} per epoch at K = ${context.maxDraws} noisy copies` +
    `${context.budget === undefined ? '' : ` (noise.budget ${context.budget})`}; holding ≥ 90 % of epochs needs a band ≥ ${need.toPrecision(2)} wide ` +
    '(widen the band, raise noise.budget, or hold the smoothed loss)'
  );
}
