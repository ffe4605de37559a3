import type { EpochMeasurement } from '../core/epoch-measurement.js';
import { ZERO_TERMS, type Actuation, type ControllerTerms } from '../core/actuation.js';
import { assertBand, bandMid, inBand, type Band } from '../core/band.js';
import {
  INITIAL_VERDICT,
  stepVerdict,
  type BandStatus,
  type VerdictOptions,
  type VerdictState,
} from './band-verdict.js';
import { createController, type ControllerConfig } from './create-controller.js';
import { createDrawsPolicy, type DrawsPolicy, type DrawsPolicyOptions, type DrawsState } from './draws-policy.js';
import type { Controller } from './controller.js';
import { DEFAULT_EMA_ALPHA, ema, EMA_EMPTY, type EmaState } from './ema.js';
import { DEFAULT_PID_OPTIONS } from './pid.js';

/** Which measurement the loop holds in the band. */
export type ControlledSignal = 'noisy' | 'clean' | 'validation';

/** Options for {@link initLoop}. Plain JSON: they are kept in the loop state. */
export interface LoopOptions {
  /** The target band. Required. */
  readonly band: Band;
  /** Controller and its options. Defaults to `{ type: 'pid' }` with {@link DEFAULT_PID_OPTIONS}. */
  readonly controller?: ControllerConfig;
  /** Controlled signal: `loss` (noisy), `cleanLoss` or `valLoss`. Defaults to `'noisy'`. */
  readonly signal?: ControlledSignal;
  /** EMA weight of the newest raw value. Defaults to {@link DEFAULT_EMA_ALPHA} (0.7). */
  readonly filterAlpha?: number;
  /**
   * σ of the first epoch. Defaults to the fixed σ for `fixed`, 0 for `flooding`, and sigmaMin
   * otherwise, so feedback controllers never slow the initial descent.
   */
  readonly initialSigma?: number;
  /** σ limits, passed to the controller unless its config sets its own. Defaults to the controller's (0.1). */
  readonly sigmaMin?: number;
  /** Defaults to the controller's (10). */
  readonly sigmaMax?: number;
  /** K noisy copies per sample, or `'auto'`. Defaults to `'auto'` for pid/hysteresis, 1 for fixed/flooding (as published). */
  readonly draws?: number | 'auto';
  /** Tuning of `'auto'` draws. Defaults to the {@link createDrawsPolicy} defaults. */
  readonly drawsPolicy?: Omit<DrawsPolicyOptions, 'mode'>;
  /**
   * Classes of the cross-entropy task: a band whose lower edge is above ln(classes) is
   * reported `unreachable-above` at once. Defaults to unknown (no chance-level check).
   */
  readonly classes?: number;
  /** Tuning of the band verdict. Defaults to {@link DEFAULT_VERDICT_OPTIONS}. */
  readonly verdict?: VerdictOptions;
}

/** Everything the loop carries between epochs: plain JSON, checkpointable. */
export interface LoopState {
  readonly options: LoopOptions;
  /** Band the next step judges and controls against (see {@link setBand}). */
  readonly band: Band;
  readonly filter: EmaState;
  readonly controller: unknown;
  readonly draws: DrawsState;
  /** What the next epoch applies. */
  readonly actuation: Actuation;
  /** Terms of the last step that ran the controller. */
  readonly terms: ControllerTerms;
  /** Epochs since the controller last ran: > 1 after non-finite epochs were held. */
  readonly dt: number;
  /** The band verdict (absent in states saved before it existed). */
  readonly verdict?: VerdictState;
}

/** Result of {@link loopStep}. */
export interface LoopStepResult {
  readonly state: LoopState;
  /** Actuation for the next epoch. */
  readonly actuation: Actuation;
  /** Filtered controlled signal after this epoch (NaN until a finite value arrived). */
  readonly smoothedLoss: number;
  /** Whether this epoch's raw controlled signal lies in `band`. */
  readonly inBand: boolean;
  /** Band the epoch was judged against. */
  readonly band: Band;
  readonly terms: ControllerTerms;
  /** The verdict on the band after this epoch (see {@link BandStatus}). */
  readonly bandStatus: BandStatus;
  /** Measured per-epoch jitter std of the raw loss, predicted for the next epoch's σ and K; NaN before an estimate. */
  readonly jitter: number;
  /** Same at the largest K the draws policy may use (the budget's cap). */
  readonly jitterAtCap: number;
  /** The band is narrower than the jitter at the largest allowed K lets the loop hold (sustained). */
  readonly bandTooNarrow: boolean;
  /**
   * The controller answered with a σ, flood level or state that is not finite (an overflow: a
   * finite but huge loss, say 1e308): the answer was discarded and the last good actuation and
   * state held. The run layer counts it as an internal error of the controller.
   */
  readonly controllerFault: boolean;
}

/** σ limits of the controller in charge; null for those that do not steer σ. */
export function sigmaLimits(o: LoopOptions): { min: number; max: number } | null {
  const config = controllerConfig(o);
  if (config.type !== 'pid' && config.type !== 'hysteresis') return null;
  const min = config.sigmaMin ?? DEFAULT_PID_OPTIONS.sigmaMin;
  const reach = config.type === 'pid' ? (config.floorReach ?? DEFAULT_PID_OPTIONS.floorReach) : 1;
  return { min: min / reach, max: config.sigmaMax ?? DEFAULT_PID_OPTIONS.sigmaMax };
}

/** Chance-level cross-entropy of the task, ln(classes); undefined when the classes are unknown. */
export function chanceLoss(o: LoopOptions): number | undefined {
  return o.classes !== undefined && o.classes >= 2 ? Math.log(o.classes) : undefined;
}

function controllerConfig(o: LoopOptions): ControllerConfig {
  const config = o.controller ?? { type: 'pid' };
  if (config.type !== 'pid' && config.type !== 'hysteresis') return config;
  const limits: { sigmaMin?: number; sigmaMax?: number } = {};
  if (o.sigmaMin !== undefined) limits.sigmaMin = o.sigmaMin;
  if (o.sigmaMax !== undefined) limits.sigmaMax = o.sigmaMax;
  return { ...limits, ...config };
}

function signalOf(m: EpochMeasurement, signal: ControlledSignal): number {
  if (signal === 'validation') return m.valLoss;
  if (signal === 'noisy') return m.loss;
  if (m.cleanLoss === undefined) throw new RangeError("Invalid measurement: signal 'clean' needs cleanLoss");
  return m.cleanLoss;
}

/**
 * The controller and draws policy an options object describes, built once per options
 * object (the loop state carries the same one from step to step): rebuilding them every
 * epoch cost ~25 µs, a few per cent of a small model's epoch. Both are pure, so sharing is safe.
 */
interface LoopParts {
  controller: Controller;
  policy: DrawsPolicy;
  limits: { min: number; max: number } | null;
  chance: number | undefined;
}
const parts = new WeakMap<LoopOptions, LoopParts>();
function partsOf(o: LoopOptions): LoopParts {
  let p = parts.get(o);
  if (!p) {
    p = {
      controller: createController(controllerConfig(o)),
      policy: createDrawsPolicy({ ...o.drawsPolicy, mode: o.draws ?? 'auto' }),
      limits: sigmaLimits(o),
      chance: chanceLoss(o),
    };
    parts.set(o, p);
  }
  return p;
}

/**
 * The loop's state before the first epoch, and so the first epoch's actuation.
 *
 * @example
 * const state = initLoop({ band: { lo: 0.3, hi: 0.4 } });
 * state.actuation; // { sigma: 0.1, draws: 1, floodLevel: undefined }
 */
export function initLoop(options: LoopOptions): LoopState {
  const config = controllerConfig(options);
  const controller = createController(config);
  const band = assertBand(options.band);
  const feedback = config.type === 'pid' || config.type === 'hysteresis';
  const draws = options.draws ?? (feedback ? 'auto' : 1);
  const initialSigma =
    options.initialSigma ??
    (config.type === 'fixed'
      ? (config.sigma ?? 0.1)
      : config.type === 'flooding'
        ? 0
        : (config.sigmaMin ?? DEFAULT_PID_OPTIONS.sigmaMin));
  const drawsState = createDrawsPolicy({ ...options.drawsPolicy, mode: draws }).init();
  const alpha = options.filterAlpha ?? DEFAULT_EMA_ALPHA;
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`Invalid filterAlpha: ${alpha}`);
  if (!(initialSigma >= 0 && Number.isFinite(initialSigma)))
    throw new RangeError(`Invalid initialSigma: ${initialSigma}`);
  return {
    options: { ...options, draws },
    band,
    filter: EMA_EMPTY,
    controller: controller.init(initialSigma),
    draws: drawsState,
    actuation: {
      sigma: initialSigma,
      draws: drawsState.draws,
      floodLevel: config.type === 'flooding' ? (config.level ?? bandMid(band)) : undefined,
    },
    terms: ZERO_TERMS,
    dt: 1,
    verdict: INITIAL_VERDICT,
  };
}

/**
 * Changes the band at run time. It takes effect at the next {@link loopStep}; the controller
 * sees the change there and transfers bumplessly (σ does not jump).
 *
 * @example
 * state = setBand(state, { lo: 0.2, hi: 0.3 });
 */
export function setBand(state: LoopState, band: Band): LoopState {
  return { ...state, band: assertBand(band) };
}

/**
 * Restarts the controller at σ (clamped to its limits) as if it had settled there, and empties
 * the filter (what it holds was measured under the old σ); the draws and the verdict are kept,
 * and the next epoch applies σ. `measured.gain`, the slope of the loss in ln σ the search
 * found there (loss per unit ln σ), seeds the controller's plant-gain estimate (the pid's):
 * without it the pid restarts from its start-up prior, as if σ barely moved the loss. With σ found by
 * a search on the loss (`Recentring`), it replaces the controller's own way back.
 * Controllers that do not steer σ (fixed, flooding) are left as they are.
 */
export function restartAt(state: LoopState, sigma: number, measured: { gain?: number } = {}): LoopState {
  const limits = sigmaLimits(state.options);
  if (!limits) return state;
  if (!Number.isFinite(sigma)) throw new RangeError(`Invalid sigma: ${sigma}`);
  const s = Math.min(limits.max, Math.max(limits.min, sigma));
  const g = measured.gain;
  const w = state.band.hi - state.band.lo;
  const hint = g !== undefined && Number.isFinite(g) && g > 0 ? { gain: g / w } : {};
  return {
    ...state,
    filter: EMA_EMPTY,
    controller: partsOf(state.options).controller.init(s, hint),
    actuation: { ...state.actuation, sigma: s },
  };
}

/**
 * One epoch of the pure control loop: filter the controlled signal, run the controller and the
 * draws policy, and return the actuation for the next epoch. A non-finite measurement holds σ
 * and K and leaves the filter, controller (integral) and jitter estimate untouched.
 *
 * @example
 * let state = initLoop({ band: { lo: 0.3, hi: 0.4 } });
 * const out = loopStep(state, { loss: 0.25, valLoss: 0.3, valAccuracy: 0.9, durationMs: 1, nonFinite: false });
 * state = out.state; // out.actuation applies to the next epoch
 */
export function loopStep(state: LoopState, measurement: EpochMeasurement): LoopStepResult {
  const o = state.options;
  const band = state.band;
  const raw = measurement.nonFinite ? NaN : signalOf(measurement, o.signal ?? 'noisy');
  if (!Number.isFinite(raw)) return hold(state, false, false);
  const filter = ema(state.filter, raw, { alpha: o.filterAlpha ?? DEFAULT_EMA_ALPHA });
  const measured = filter.value ?? raw;
  const { controller, policy, limits, chance } = partsOf(o);
  const out = controller.step(state.controller, { measurement: measured, raw, band, dt: state.dt });
  // A NaN or ±Infinity σ would reach the plant and the checkpoint (as null, unresumable), and
  // stay: the PID's integral would keep it. Discard the whole answer, the outlier with it.
  if (!finiteOutput(out)) return hold(state, inBand(raw, band), true);
  const draws = policy.step(state.draws, {
    raw,
    draws: state.actuation.draws,
    band,
    sigma: state.actuation.sigma,
    nextSigma: out.sigma,
  });
  const actuation: Actuation = { sigma: out.sigma, draws: draws.draws, floodLevel: out.floodLevel };
  const verdict = stepVerdict(
    state.verdict ?? INITIAL_VERDICT,
    {
      raw,
      smoothed: measured,
      band,
      sigma: state.actuation.sigma,
      limits,
      chanceLoss: chance,
    },
    o.verdict,
  );
  const next: LoopState = {
    ...state,
    filter,
    controller: out.state,
    draws,
    actuation,
    terms: out.terms,
    dt: 1,
    verdict,
  };
  return {
    state: next,
    actuation,
    smoothedLoss: measured,
    inBand: inBand(raw, band),
    band,
    terms: out.terms,
    bandStatus: verdict.status,
    ...noiseReport(policy, draws, actuation),
    controllerFault: false,
  };
}

/** The step that changes nothing but `dt`: after a non-finite measurement or a non-finite controller answer. */
function hold(state: LoopState, rawInBand: boolean, controllerFault: boolean): LoopStepResult {
  const { policy } = partsOf(state.options);
  return {
    state: { ...state, dt: state.dt + 1 },
    actuation: state.actuation,
    smoothedLoss: state.filter.value ?? NaN,
    inBand: rawInBand,
    band: state.band,
    terms: state.terms,
    bandStatus: (state.verdict ?? INITIAL_VERDICT).status,
    ...noiseReport(policy, state.draws, state.actuation),
    controllerFault,
  };
}

/** σ finite and ≥ 0, the flood level finite when set, terms and every number in the state finite. */
function finiteOutput(out: {
  sigma: number;
  floodLevel?: number | undefined;
  terms: ControllerTerms;
  state: unknown;
}): boolean {
  if (!(Number.isFinite(out.sigma) && out.sigma >= 0)) return false;
  if (out.floodLevel !== undefined && !Number.isFinite(out.floodLevel)) return false;
  const { p, i, d, error } = out.terms;
  return Number.isFinite(p + i + d + error) && allFinite(out.state);
}

/** Whether every number in a plain-JSON value is finite (a controller state holds a few dozen at most). */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return true;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (!allFinite(v)) return false;
  return true;
}

function noiseReport(
  policy: DrawsPolicy,
  draws: DrawsState,
  next: Actuation,
): Pick<LoopStepResult, 'jitter' | 'jitterAtCap' | 'bandTooNarrow'> {
  return {
    jitter: policy.jitter(draws, next.sigma, next.draws),
    jitterAtCap: policy.jitter(draws, next.sigma, policy.maxDraws),
    bandTooNarrow: policy.tooNarrow(draws),
  };
}
