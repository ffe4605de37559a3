import { assertBand, bandMid, bandProblem, type Band } from '../core/band.js';
import type { Controller, ControllerHint, ControllerInput, ControllerOutput } from './controller.js';
import { CLOSED_FLOOR_GATE, stepFloorGate, type FloorGateState } from './floor-gate.js';
import { createPlantGainEstimator, type PlantGainState } from './plant-gain.js';

/**
 * Options for {@link createPidController}. The controller acts on u = ln σ, and its error is
 * normalised by the band width, e = (mid − measurement)/(hi − lo): e = ±0.5 at the band edges,
 * positive when the loss is too low (→ more noise). So gains are "ln σ per band width".
 */
export interface PidOptions {
  /** Proportional gain, ln σ per unit error. Defaults to 0 (see {@link DEFAULT_PID_OPTIONS}). */
  readonly kp?: number;
  /** Integral gain near the band centre at the reference plant gain, ln σ per epoch per unit error. Defaults to 0.06. */
  readonly ki?: number;
  /** Derivative gain on the measurement, ln σ per (band width per epoch). Defaults to 0 (off). */
  readonly kd?: number;
  /** Weight of the newest slope in the derivative's low-pass filter, in (0, 1]. Defaults to 0.5. */
  readonly derivativeFilter?: number;
  /**
   * Resting floor of σ (> 0: the controller works in ln σ): σ starts and stays here during the
   * first descent, and goes lower only once {@link stepFloorGate} finds the loss stalled above
   * the band at it. Defaults to 0.1.
   */
  readonly sigmaMin?: number;
  /** Once the floor gate opens, σ may fall to sigmaMin / floorReach (1: never below sigmaMin). Defaults to 100. */
  readonly floorReach?: number;
  /** Upper output limit for σ. Defaults to 10. */
  readonly sigmaMax?: number;
  /** Largest change of ln σ per epoch (σ changes at most ×e^maxRate). Defaults to 0.5. */
  readonly maxRate?: number;
  /** Half-width of the central deadband, in units of e: no P and no integration inside. Defaults to 0.25. */
  readonly deadband?: number;
  /** Integral gain scheduling: ki is multiplied by e^(gainGrowth·|e|). Defaults to 5. */
  readonly gainGrowth?: number;
  /** Cap on that multiplier. Defaults to 8. */
  readonly maxGainFactor?: number;
  /** Plant gain ki is tuned for, band widths per ln σ; the integral scales by it / the measured gain (0: off). Defaults to 3. */
  readonly referenceGain?: number;
  /**
   * Start-up lead, in epochs. While σ sits at sigmaMin and the loss is inside or below the band,
   * the integral acts on the error the loss's own trend predicts this far ahead: σ cannot move
   * the loss yet, so only the trend tells when to start climbing. 0 turns it off. Defaults to 4.
   */
  readonly lead?: number;
}

/**
 * The PID defaults, in one place for tuning. Tuned on the real plant with `npm run bench:control`
 * (Iris, wine, breast-cancer; one set for all), kept honest by the synthetic plant in tests:
 * - `kp` = 0: σ acts within the epoch, so the plant is static plus drift, and an integrator is
 *   all it needs; P only copied jitter into σ (≈ 90 σ reversals per 2000 Iris epochs, all tiny).
 * - `deadband` = 0.25: nothing moves while the filtered loss is in the inner half of the band.
 * - `ki` = 0.06 at the `referenceGain` of 3 band widths per ln σ (what the estimator reads on
 *   Iris at σ ≈ 0.7); the step scales with 3 / measured gain, so while σ is still too small to
 *   move the loss (gain ≈ 0) it climbs at `maxRate`, and it slows as soon as σ bites.
 * - `gainGrowth` makes integration e^(5|e|) faster away from the centre (×12 at the band edge,
 *   capped at ×`maxGainFactor` = 8 beyond): fast when far off, gentle near the centre.
 * - `lead` = 4: after the first entry the loss falls through the band in 3–10 epochs while σ sits
 *   at its floor; starting the climb on the trend saves wine and breast-cancer ≈ 2–3 epochs out of band.
 * - `kd` = 0: per-epoch jitter dominates the slope, and the loss has no inertia to brake.
 * - `maxRate` = 0.5 (σ ×1.65 per epoch) binds only during that climb; it caps what an outlier can do.
 * - `sigmaMin` = 0.1 moves the loss by < 0.01 (no later first entry on any bench dataset) and
 *   leaves 1.6 ln units less to climb than 0.01: Iris's dip after the first entry shrinks ≈ 3×.
 */
export const DEFAULT_PID_OPTIONS: Readonly<Required<PidOptions>> = Object.freeze({
  kp: 0,
  ki: 0.06,
  kd: 0,
  derivativeFilter: 0.5,
  sigmaMin: 0.1,
  floorReach: 100,
  sigmaMax: 10,
  maxRate: 0.5,
  deadband: 0.25,
  gainGrowth: 5,
  maxGainFactor: 8,
  referenceGain: 3,
  lead: 4,
});

/** Parameters whose change would bump the output; a step that sees them change is bumpless. */
interface PidParameters {
  readonly kp: number;
  readonly kd: number;
  readonly deadband: number;
  readonly lo: number;
  readonly hi: number;
}

/** PID state: plain JSON, checkpointable. */
export interface PidState {
  /** ln σ of the last output. */
  readonly logSigma: number;
  /** Integral term, in ln σ. */
  readonly integral: number;
  /** Last measurement, for the derivative; null before the first step. */
  readonly lastMeasurement: number | null;
  /** Low-pass filtered slope of the measurement, loss per epoch. */
  readonly slope: number;
  /** Parameters used by the last step; null before the first step. */
  readonly parameters: PidParameters | null;
  /** Measured plant gain (absent in states saved before it existed). */
  readonly plant?: PlantGainState;
  /** Whether σ may leave its resting floor downwards (absent in older states: closed). */
  readonly floor?: FloorGateState;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

function sameParameters(a: PidParameters, b: PidParameters): boolean {
  return a.kp === b.kp && a.kd === b.kd && a.deadband === b.deadband && a.lo === b.lo && a.hi === b.hi;
}

function validate(o: Required<PidOptions>): void {
  for (const key of Object.keys(DEFAULT_PID_OPTIONS) as (keyof PidOptions)[]) {
    if (!(o[key] >= 0)) throw new RangeError(`Invalid PID option ${key}: ${o[key]}`);
  }
  if (!(o.sigmaMin > 0 && o.sigmaMin < o.sigmaMax && Number.isFinite(o.sigmaMax))) {
    throw new RangeError(`Invalid PID sigma limits: sigmaMin ${o.sigmaMin}, sigmaMax ${o.sigmaMax}`);
  }
  if (!(o.derivativeFilter > 0 && o.derivativeFilter <= 1))
    throw new RangeError(`Invalid PID option derivativeFilter: ${o.derivativeFilter}`);
  if (!(o.floorReach >= 1 && Number.isFinite(o.floorReach)))
    throw new RangeError(`Invalid PID option floorReach: ${o.floorReach}`);
}

function checkInput({ band, dt }: ControllerInput): Band {
  if (bandProblem(band)) assertBand(band);
  if (!(dt > 0 && Number.isFinite(dt))) throw new RangeError(`Invalid dt: ${dt}`);
  return band;
}

/**
 * The default controller: PID on ln σ, in the simple-pid / Arduino-PID spirit.
 *
 * - Output and integral are clamped to [ln sigmaMin, ln sigmaMax]; the integral only grows
 *   into the headroom the output has left (conditional integration), so σ sits at sigmaMin
 *   during the initial descent without winding. When the loss stalls above the band with σ
 *   there ({@link stepFloorGate}), the lower limit drops to sigmaMin / floorReach.
 * - The integral step is divided by the measured plant gain ({@link createPlantGainEstimator}):
 *   σ climbs at `maxRate` while it barely moves the loss, and slows once it bites.
 * - Start-up lead: while σ is at sigmaMin, the loss's trend decides when the climb starts.
 * - Derivative on the measurement, low-pass filtered: a band change never kicks.
 * - Bumpless: when the band or kp/kd/deadband change, the integral is redone so that this
 *   step's output equals the last one; the integral then moves σ to the new band.
 * - A non-finite measurement holds σ and leaves the state untouched (its terms carry only i).
 * - `terms` are in ln σ: p + i + d = ln σ while no limit binds.
 *
 * @example
 * const pid = createPidController({ sigmaMin: 0.01 });
 * let state = pid.init(0.01);
 * const out = pid.step(state, { measurement: 0.25, raw: 0.26, band: { lo: 0.3, hi: 0.4 }, dt: 1 });
 * out.sigma; // > 0.01: the loss is below the band, so more noise
 * state = out.state;
 */
export function createPidController(options: PidOptions = {}): Controller<PidState> {
  const o: Required<PidOptions> = { ...DEFAULT_PID_OPTIONS, ...options };
  validate(o);
  const uMin = Math.log(o.sigmaMin);
  const sigmaFloor = o.sigmaMin / o.floorReach;
  const uFloor = Math.log(sigmaFloor);
  const uMax = Math.log(o.sigmaMax);
  // At a limit, report the limit itself (exp(ln x) is not always x).
  const toSigma = (u: number): number =>
    u === uMin ? o.sigmaMin : u <= uFloor ? sigmaFloor : u >= uMax ? o.sigmaMax : Math.exp(u);
  const estimator = createPlantGainEstimator();
  return {
    type: 'pid',
    init(sigma: number, hint?: ControllerHint): PidState {
      const u = clamp(Math.log(Math.max(sigma, o.sigmaMin)), uMin, uMax);
      // A measured gain (a restart after a σ search) replaces the start-up prior: that prior
      // assumes σ barely bites, and would let the first steps after the restart climb at ×3.
      const plant = estimator.init(hint?.gain);
      return { logSigma: u, integral: u, lastMeasurement: null, slope: 0, parameters: null, plant };
    },
    step(s: PidState, input: ControllerInput): ControllerOutput<PidState> {
      const band = checkInput(input);
      const y = input.measurement;
      if (!Number.isFinite(y))
        return { state: s, sigma: toSigma(s.logSigma), terms: { p: 0, i: s.integral, d: 0, error: 0 } };
      const w = band.hi - band.lo;
      const e = (bandMid(band) - y) / w;
      // The raw loss of this epoch answers the σ it ran with: the last output.
      const plant = estimator.step(s.plant ?? estimator.init(), s.logSigma, input.raw, w);
      const g = estimator.gain(plant);
      const adapt = o.referenceGain > 0 ? o.referenceGain / g : 1;
      const slope =
        s.lastMeasurement === null ? 0 : s.slope + o.derivativeFilter * ((y - s.lastMeasurement) / input.dt - s.slope);
      const floor = stepFloorGate(s.floor ?? CLOSED_FLOOR_GATE, {
        atFloor: s.logSigma <= uMin,
        measurement: y,
        hi: band.hi,
        dt: input.dt,
      });
      const uLow = floor.open ? uFloor : uMin;
      const starting = s.logSigma <= uMin && y <= band.hi && slope < 0;
      const eI = starting ? Math.max(e, (bandMid(band) - y - o.lead * slope) / w) : e;
      const eOut = Math.abs(eI) <= o.deadband ? 0 : eI - Math.sign(eI) * o.deadband;
      const p = o.kp * eOut;
      const d = (-o.kd * slope) / w + 0; // + 0 turns −0 into 0
      const parameters: PidParameters = { kp: o.kp, kd: o.kd, deadband: o.deadband, lo: band.lo, hi: band.hi };
      const lo = Math.max(uLow, s.logSigma - o.maxRate * input.dt);
      const hi = Math.min(uMax, s.logSigma + o.maxRate * input.dt);
      let i: number;
      let u: number;
      if (s.parameters !== null && !sameParameters(s.parameters, parameters)) {
        u = clamp(s.logSigma, uLow, uMax);
        i = clamp(u - p - d, uLow, uMax);
      } else {
        const gain = o.ki * Math.min(o.maxGainFactor, Math.exp(o.gainGrowth * Math.abs(eI))) * adapt;
        const next = s.integral + gain * eOut * input.dt;
        // Integrate only into the headroom the output has left: no windup at a limit.
        if (eOut > 0) i = Math.min(next, Math.max(s.integral, hi - p - d));
        else i = Math.max(next, Math.min(s.integral, lo - p - d));
        i = clamp(i, uLow, uMax);
        u = clamp(p + i + d, lo, hi);
      }
      return {
        state: { logSigma: u, integral: i, lastMeasurement: y, slope, parameters, plant, floor },
        sigma: toSigma(u),
        terms: { p, i, d, error: e },
      };
    },
  };
}
