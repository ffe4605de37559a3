import type { Band } from '../core/band.js';
import type { ControlledSignal } from '../control/closed-loop.js';

/** A complete run configuration: a preset with the user's file and flags applied. */
export interface ResolvedConfig {
  readonly name: string;
  readonly preset: 'default' | 'seed';
  /** Epochs to train; 0 = until stopped. */
  readonly epochs: number;
  readonly seed: number | string;
  /** `auto`: plain JS for small models, else the first tfjs backend that loads. */
  readonly backend: 'auto' | 'js' | 'node' | 'wasm' | 'cpu';
  /** Run directory; defaults to `runs/<name>`. */
  readonly out: string;
  readonly data: {
    /** `iris`, `wine`, `breast-cancer` or a CSV path. */
    readonly path: string;
    readonly label?: string | undefined;
    readonly testFraction: number;
    readonly standardize: boolean;
    /** `seed` = the seed program's sklearn split (Iris only). */
    readonly split: 'random' | 'seed';
    /** SHA-256 (hex) of the data file: checked when set, recorded when a run starts. */
    readonly sha256?: string | undefined;
  };
  readonly model: {
    readonly hidden: readonly number[];
    readonly optimizer: 'adam' | 'sgd';
    readonly learningRate: number;
    readonly batchSize: number | null;
  };
  readonly noise: {
    /** Initial σ (the constant for `fixed`); unset = the controller's choice (σ min for pid). */
    readonly sigma?: number | undefined;
    readonly min: number;
    readonly max: number;
    readonly draws: number | 'auto';
    readonly maxDraws: number;
    /**
     * `absolute`: σ in input units; `feature`: σ times each feature's training-set std.
     * Defaults to `feature` when the data is not standardised, else `absolute` (the same there).
     */
    readonly scale: 'absolute' | 'feature';
    /** `draws: auto` keeps an epoch's work within this multiple of the σ = 0 epoch's (tiny models: see budgetDraws). */
    readonly budget: number;
    /** Pairs of noisy copies with opposite noise (less loss jitter per copy). */
    readonly antithetic: boolean;
  };
  readonly band: Band;
  readonly controller: {
    readonly type: 'pid' | 'hysteresis' | 'fixed' | 'flooding';
    readonly signal: ControlledSignal;
    readonly filterAlpha?: number | undefined;
    readonly kp?: number | undefined;
    readonly ki?: number | undefined;
    readonly kd?: number | undefined;
    readonly derivativeFilter?: number | undefined;
    readonly maxRate?: number | undefined;
    readonly deadband?: number | undefined;
    readonly gainGrowth?: number | undefined;
    readonly maxGainFactor?: number | undefined;
    readonly referenceGain?: number | undefined;
    readonly lead?: number | undefined;
    readonly factor?: number | undefined;
    readonly dwell?: number | undefined;
    readonly level?: number | undefined;
  };
  readonly server: { readonly port: number; readonly host: string };
  readonly checkpointEvery: number;
  /** What `events.jsonl` keeps. */
  readonly events: {
    /** Record every `every`-th epoch (plus non-finite ones and the last before a stop). 1 = every epoch. */
    readonly every: number;
    /** Rotate `events.jsonl` into a gzip segment once it holds this many bytes; 0 = never. */
    readonly rotateBytes: number;
  };
  /** What is measured for the metrics beyond the epoch itself. */
  readonly metrics: {
    /**
     * Measure the clean training loss (`cleanLoss`, `lossband_clean_loss`) on epoch 1 and every
     * `cleanEvery`-th epoch after it: one forward pass over the training split. 0 = never.
     * `controller.signal: clean` measures it every epoch whatever this says.
     */
    readonly cleanEvery: number;
  };
  readonly onNonFinite: 'stop' | 'rollback';
}
