import type { Band } from '../core/band.js';
import {
  aimFor,
  DRIFT_EMPTY,
  jitterOf,
  rebaseDrift,
  stepDrift,
  trustedDrift,
  type DriftOptions,
  type DriftState,
} from './loss-drift.js';
import { searchSigma, type SigmaSearchResult } from './search-sigma.js';

/** Options of {@link Recentring}. */
export interface RecentringOptions {
  /**
   * Account for the drift (the loss's fall at a fixed σ while the model learns): aim the
   * search where the next epoch's learning will take the loss to the band's middle, and also
   * search when the loss is still in the band but predicted to leave it next epoch. With
   * false the search aims at the middle and runs only once the loss has left. Defaults to true.
   */
  readonly drift?: boolean;
  /** The aim stays this many band widths inside the band, whatever the drift. Defaults to 0.2. */
  readonly margin?: number;
  /** The search stops within this many band widths of its aim. Defaults to 0.05. */
  readonly tolerance?: number;
  /** Most loss evaluations per search. Defaults to 9. */
  readonly maxEvaluations?: number;
  /** Tuning of the drift estimate ({@link stepDrift}). Defaults to its defaults. */
  readonly driftEstimate?: DriftOptions;
}

/** The part of the loop {@link Recentring} reads and restarts (a `LoopActuator`). */
export interface RestartableLoop {
  readonly band: Band;
  readonly sigmaLimits: { min: number; max: number } | null;
  /** What the next epoch applies, after the loop observed this one. */
  readonly actuation: { readonly sigma: number };
  restartAt(sigma: number, measured?: { gain?: number }): void;
}

/** What a recentring did: the search, its aim and why it ran. */
export interface Recentred extends SigmaSearchResult {
  /** `left`: the loss was outside the band; `leaving`: inside, but predicted outside next epoch. */
  readonly reason: 'left' | 'leaving';
  /** Loss the search aimed at. */
  readonly target: number;
  /** Loss predicted for the next epoch before the search (the epoch's own loss without a drift estimate). */
  readonly predicted: number;
}

/**
 * Recentring σ on a loss the caller can measure at any σ for the epoch's final weights (a
 * fixed-draw forward pass, in callback mode): after the loop has observed an epoch, when the
 * loss left the band, or is predicted to leave it next epoch, search ({@link searchSigma}) the
 * σ at which those weights meet an aim inside the band, and restart the loop there with the
 * slope the search measured. Pure: the caller passes `lossAt`.
 *
 * Why the drift: σ acts within the epoch it is applied, but the model learns in that epoch
 * too. On a model that still learns fast (example (a)'s conv net in epochs 2–9: the loss at a
 * fixed σ falls ≈ half a band width an epoch), a σ that puts the current weights at the
 * middle leaves the next epoch's loss below the band, and the loop lags one recentring behind
 * each epoch. The estimate of that fall ({@link stepDrift}) aims the search where the next
 * epoch's learning takes the loss to the middle ({@link aimFor}), and predicts the epochs
 * that will leave the band before they do. Each search costs `evaluations` forward passes
 * (1–3 from the epoch's own point once the slope is known; up to 9 the first time).
 *
 * The drift estimate is not checkpointed: after a resume it is measured again within two epochs.
 *
 * @example
 * const recentring = new Recentring();
 * actuator.observe(measurement);
 * recentring.afterEpoch(actuator, { sigma: applied, loss: measurement.loss }, (s) => lossOfWeightsAt(s));
 */
export class Recentring {
  private readonly o: Required<Omit<RecentringOptions, 'driftEstimate'>> & { driftEstimate: DriftOptions };
  private estimate: DriftState = DRIFT_EMPTY;

  constructor(options: RecentringOptions = {}) {
    this.o = {
      drift: options.drift ?? true,
      margin: options.margin ?? 0.2,
      tolerance: options.tolerance ?? 0.05,
      maxEvaluations: options.maxEvaluations ?? 9,
      driftEstimate: options.driftEstimate ?? {},
    };
    if (!(this.o.margin >= 0 && this.o.margin <= 0.5))
      throw new RangeError(`margin: expected 0 to 0.5 band widths, got ${this.o.margin}`);
    if (!(this.o.tolerance >= 0)) throw new RangeError(`tolerance: expected ≥ 0 band widths, got ${this.o.tolerance}`);
    if (!(Number.isInteger(this.o.maxEvaluations) && this.o.maxEvaluations >= 1))
      throw new RangeError(`maxEvaluations: expected a positive integer, got ${this.o.maxEvaluations}`);
  }

  /** The drift estimate so far. */
  get drift(): DriftState {
    return this.estimate;
  }

  /**
   * After `loop` observed the epoch: fold the epoch into the drift estimate, and recentre when
   * due. `epoch.sigma` is the σ the epoch ran with and `epoch.loss` was measured at; `lossAt`
   * measures the same weights at another σ. Returns what it did, or null.
   */
  afterEpoch(
    loop: RestartableLoop,
    epoch: { readonly sigma: number; readonly loss: number },
    lossAt: (sigma: number) => number,
  ): Recentred | null {
    const { sigma, loss } = epoch;
    if (!Number.isFinite(loss)) return null;
    this.estimate = stepDrift(this.estimate, { u: Math.log(sigma), loss }, this.o.driftEstimate);
    const band = loop.band;
    const limits = loop.sigmaLimits;
    if (!limits) return null;
    const d = this.o.drift ? trustedDrift(this.estimate, this.o.driftEstimate) : null;
    const w = band.hi - band.lo;
    // What of this loss the weights' jitter put there (and the next weights give back).
    const jitter = this.o.drift ? Math.max(-w / 2, Math.min(w / 2, jitterOf(this.estimate))) : 0;
    // The next epoch's loss: the level, its drift at a fixed σ, and what the loop's next σ moves it by.
    const predicted =
      d === null
        ? loss
        : loss - jitter + d + (this.estimate.gain ?? 0) * (Math.log(loop.actuation.sigma) - Math.log(sigma));
    const inside = loss >= band.lo && loss <= band.hi;
    // Above the band with σ at its floor: the model has not learned enough yet; no σ helps.
    const left = loss < band.lo || (loss > band.hi && sigma > limits.min);
    const leaving = inside && (predicted < band.lo || predicted > band.hi);
    if (!left && !leaving) return null;
    // The search measures this epoch's weights, jitter included: aim with it, inside the margin.
    const target = Math.min(
      band.hi - this.o.margin * w,
      Math.max(band.lo + this.o.margin * w, aimFor(band, d, this.o.margin) + jitter),
    );
    const found = searchSigma(lossAt, target, limits, {
      start: { sigma, loss },
      gain: this.estimate.gain ?? undefined,
      tolerance: this.o.tolerance * w,
      maxEvaluations: this.o.maxEvaluations,
    });
    // A search that met its aim without bracketing it measured no slope: keep the last one.
    const gain = Number.isFinite(found.gain) ? found.gain : (this.estimate.gain ?? undefined);
    loop.restartAt(found.sigma, gain === undefined ? {} : { gain });
    this.estimate = rebaseDrift(this.estimate, { u: Math.log(found.sigma), loss: found.loss, gain: found.gain });
    return { ...found, reason: left ? 'left' : 'leaving', target, predicted };
  }
}
