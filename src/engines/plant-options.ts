import type { Split } from '../data/dataset.js';
import type { NoiseScale } from './noise/noise-scale.js';

/**
 * Options of every built-in engine's plant (`JsPlant`, `TfjsPlant`): one contract, one set of
 * defaults, validated in one place ({@link resolvePlantOptions}), so the two engines cannot drift.
 */
export interface PlantOptions {
  /** Training and held-out data. Required. */
  readonly split: Split;
  /** Hidden layer widths. Defaults to `[10]` (the seed's 4-10-3 network on Iris). */
  readonly hidden?: readonly number[];
  /** Optimiser. Defaults to `'adam'` (β = 0.9/0.999, ε = 1e-8 like PyTorch). */
  readonly optimizer?: 'adam' | 'sgd';
  /** Learning rate, > 0. Defaults to `0.01`. */
  readonly learningRate?: number;
  /** Mini-batch size, a positive integer; `null` trains on the full batch like the seed. Defaults to `null`. */
  readonly batchSize?: number | null;
  /** Seed for initialisation, noise and shuffling. Defaults to `'0'`. */
  readonly seed?: string;
  /** Also measure the clean (noise-free) training loss each epoch. Defaults to `false`. */
  readonly measureClean?: boolean;
  /** Clock for `durationMs`. Defaults to `performance.now`. */
  readonly now?: () => number;
  /**
   * `absolute`: σ is in input units. `feature`: σ is multiplied by each feature's training-set
   * std, so one σ corrupts every feature alike however its scale. Defaults to `'absolute'`.
   */
  readonly noiseScale?: NoiseScale;
  /** Antithetic noise draws (see `NoisyBatchOptions.antithetic`). Defaults to `false`. */
  readonly antithetic?: boolean;
}

/** {@link PlantOptions} with every default filled in. */
export type ResolvedPlantOptions = Required<PlantOptions>;

/** The defaults of {@link PlantOptions}. */
export const PLANT_DEFAULTS = {
  hidden: [10],
  optimizer: 'adam',
  learningRate: 0.01,
  batchSize: null,
  seed: '0',
  measureClean: false,
  noiseScale: 'absolute',
  antithetic: false,
} as const satisfies Omit<ResolvedPlantOptions, 'split' | 'now'>;

/**
 * Fills in the defaults and checks the values a plant cannot work with. Throws a `RangeError`
 * naming the option and the value.
 *
 * @example
 * resolvePlantOptions({ split }).hidden; // [10]
 */
export function resolvePlantOptions(options: PlantOptions): ResolvedPlantOptions {
  const resolved: ResolvedPlantOptions = {
    split: options.split,
    hidden: options.hidden ?? PLANT_DEFAULTS.hidden,
    optimizer: options.optimizer ?? PLANT_DEFAULTS.optimizer,
    learningRate: options.learningRate ?? PLANT_DEFAULTS.learningRate,
    batchSize: options.batchSize ?? PLANT_DEFAULTS.batchSize,
    seed: options.seed ?? PLANT_DEFAULTS.seed,
    measureClean: options.measureClean ?? PLANT_DEFAULTS.measureClean,
    now: options.now ?? (() => performance.now()),
    noiseScale: options.noiseScale ?? PLANT_DEFAULTS.noiseScale,
    antithetic: options.antithetic ?? PLANT_DEFAULTS.antithetic,
  };
  const { batchSize, learningRate, hidden, optimizer } = resolved;
  if (batchSize !== null && !(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new RangeError(`batchSize must be a positive integer or null, got ${batchSize}`);
  }
  if (!(Number.isFinite(learningRate) && learningRate > 0))
    throw new RangeError(`learningRate must be finite and > 0, got ${learningRate}`);
  if (optimizer !== 'adam' && optimizer !== 'sgd')
    throw new RangeError(`optimizer must be 'adam' or 'sgd', got ${String(optimizer)}`);
  hidden.forEach((w, i) => {
    if (!Number.isInteger(w) || w < 1) throw new RangeError(`hidden[${i}] must be a positive integer, got ${w}`);
  });
  return resolved;
}

/** Layer widths of the MLP a plant builds on `split`: inputs, hidden…, classes. */
export function mlpWidths(split: Split, hidden: readonly number[]): number[] {
  return [split.train.features, ...hidden, split.train.classNames.length];
}

/** The shape and seed of an MLP (both engines' builders take it). */
export interface MlpOptions {
  /** Number of input features. Required. */
  readonly inputs: number;
  /** Units of each hidden ReLU layer. Defaults to `[10]` (the seed's 4-10-3 network). */
  readonly hidden?: readonly number[];
  /** Number of classes (logits). Required. */
  readonly outputs: number;
  /** Seed of the initialisation. Defaults to `'0'`. */
  readonly seed?: string;
}
