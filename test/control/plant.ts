import type { Actuation } from '../../src/core/actuation.js';
import type { EpochMeasurement } from '../../src/core/epoch-measurement.js';

/**
 * A synthetic stand-in for "a network being trained with input noise", in simulated time.
 *
 * - Training progress p advances by `1 / (1 + slowdown·σ²)` per epoch (noise slows learning).
 * - The clean loss falls with p towards a floor, fast at first and then slowly for thousands
 *   of epochs: `floor + fastAmplitude·e^(−p/fastTau) + slowAmplitude/(1 + p/slowTau)`.
 *   So the σ needed to hold a band keeps rising: the plant is non-stationary.
 * - Noise adds a saturating `g(σ) = sat·cσ²/(sat + cσ²)`, seen through a first-order lag.
 * - Each epoch's loss has seeded Gaussian jitter with std `(jitterBase + jitterPerSigma·σ)/√K`.
 *
 * The defaults are shaped after Iris (loss ≈ 1.2 → 0.28 at epoch 50 → 0.05 at 1000 without
 * noise; σ ≈ 0.7 holds [0.3, 0.4] late; jitter ≈ 0.044 at σ = 0.7 with one draw).
 */
export interface PlantOptions {
  /** RNG seed. Defaults to 1. */
  readonly seed?: number;
  /** Loss the clean loss decays to. Defaults to 0.02. */
  readonly floor?: number;
  /** Amplitude of the fast (exponential) part of the descent. Defaults to 0.93. */
  readonly fastAmplitude?: number;
  /** Time constant of the fast part, in epochs. Defaults to 20. */
  readonly fastTau?: number;
  /** Amplitude of the slow (hyperbolic) tail. Defaults to 0.25. */
  readonly slowAmplitude?: number;
  /** Time constant of the slow tail, in epochs. Defaults to 150. */
  readonly slowTau?: number;
  /** c in g(σ): loss added per σ² at small σ. Defaults to 0.6. */
  readonly noiseGain?: number;
  /** Largest loss noise can add. Defaults to 1.1 (≈ ln 3, chance level of 3 classes). */
  readonly saturation?: number;
  /** Time constant of the noise effect, in epochs (0 = immediate). Defaults to 1. */
  readonly lag?: number;
  /** How much noise slows learning (κ in 1/(1 + κσ²)). Defaults to 0.5. */
  readonly slowdown?: number;
  /** Jitter std at σ = 0 with one draw. Defaults to 0.002. */
  readonly jitterBase?: number;
  /** Extra jitter std per unit σ with one draw. Defaults to 0.06. */
  readonly jitterPerSigma?: number;
}

/** A synthetic plant: apply one epoch's actuation, get that epoch's measurement. */
export interface Plant {
  step(actuation: Actuation): EpochMeasurement;
  /** Clean loss the plant would show now (no noise, no jitter). */
  cleanLoss(): number;
}

/** Deterministic uniform [0, 1) generator (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a seeded uniform source (Box–Muller). */
export function gaussian(seed: number): () => number {
  const u = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * Builds a synthetic plant.
 *
 * @example
 * const plant = createPlant({ seed: 3 });
 * const m = plant.step({ sigma: 0, draws: 1 }); // m.loss ≈ 1.2
 */
export function createPlant(options: PlantOptions = {}): Plant {
  const o = {
    seed: 1,
    floor: 0.02,
    fastAmplitude: 0.93,
    fastTau: 20,
    slowAmplitude: 0.25,
    slowTau: 150,
    noiseGain: 0.6,
    saturation: 1.1,
    lag: 1,
    slowdown: 0.5,
    jitterBase: 0.002,
    jitterPerSigma: 0.06,
    ...options,
  };
  const normal = gaussian(o.seed);
  const pull = o.lag > 0 ? 1 - Math.exp(-1 / o.lag) : 1;
  let progress = 0;
  let noiseEffect = 0;
  const clean = (): number =>
    o.floor + o.fastAmplitude * Math.exp(-progress / o.fastTau) + o.slowAmplitude / (1 + progress / o.slowTau);
  return {
    cleanLoss: clean,
    step({ sigma, draws }) {
      const cs2 = o.noiseGain * sigma * sigma;
      noiseEffect += pull * ((o.saturation * cs2) / (o.saturation + cs2) - noiseEffect);
      const cleanLoss = clean();
      const jitter = ((o.jitterBase + o.jitterPerSigma * sigma) / Math.sqrt(draws)) * normal();
      const loss = Math.max(0, cleanLoss + noiseEffect + jitter);
      progress += 1 / (1 + o.slowdown * sigma * sigma);
      return { loss, cleanLoss, valLoss: cleanLoss * 1.1, valAccuracy: 0.9, durationMs: 1, nonFinite: false };
    },
  };
}

/** First epoch (1-based) at which the plant run with σ = 0 has its raw loss in [lo, hi]. */
export function openLoopEntryEpoch(
  lo: number,
  hi: number,
  options: PlantOptions = {},
  maxEpochs = 100_000,
): number | null {
  const plant = createPlant(options);
  for (let epoch = 1; epoch <= maxEpochs; epoch++) {
    const { loss } = plant.step({ sigma: 0, draws: 1 });
    if (loss >= lo && loss <= hi) return epoch;
  }
  return null;
}
