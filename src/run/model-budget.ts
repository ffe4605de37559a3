import os from 'node:os';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { UserError } from '../core/user-error.js';
import type { Split } from '../data/dataset.js';
import type { Engine } from '../engines/select-engine.js';

/** Most trainable parameters a run may have: 100 million (1.6 GB of weights, gradients and Adam moments). */
export const MAX_PARAMETERS = 100_000_000;

/** What the wasm engine can address: 2 GiB (32-bit memory; the rest goes to the runtime). */
export const WASM_MEMORY_BYTES = 2 * 1024 ** 3;

/** Options of {@link checkModelBudget}. */
export interface ModelBudgetOptions {
  /** Memory the machine has. Defaults to `os.totalmem()`. */
  readonly totalMemory?: number;
}

/** A model's size and the memory one epoch needs, estimated before anything is allocated. */
export interface ModelBudget {
  readonly parameters: number;
  /** Estimated bytes: weights, gradients and Adam moments, the noisy inputs, and per layer the activations of one step (forward, pre-activation, gradient). */
  readonly bytes: number;
  /** What the engine may use: half the machine's memory, at most {@link WASM_MEMORY_BYTES} on wasm. */
  readonly limit: number;
}

/**
 * Estimates a run's model size and memory from its config and data, before the run directory,
 * the server or the model exist.
 *
 * @example
 * estimateModelBudget(config, split, 'js').parameters; // 83 for Iris 4-10-3
 */
export function estimateModelBudget(
  config: ResolvedConfig,
  split: Split,
  engine: Engine,
  options: ModelBudgetOptions = {},
): ModelBudget {
  const widths = [split.train.features, ...config.model.hidden, split.train.classNames.length];
  let parameters = 0;
  for (let l = 0; l + 1 < widths.length; l++) parameters += ((widths[l] as number) + 1) * (widths[l + 1] as number);
  const draws = typeof config.noise.draws === 'number' ? config.noise.draws : config.noise.maxDraws;
  const samples = split.train.rows * draws;
  const stepRows = config.model.batchSize === null ? samples : Math.min(config.model.batchSize, samples);
  const units = widths.reduce((a, b) => a + b, 0);
  const bytes = 4 * (4 * parameters + samples * split.train.features + 3 * stepRows * units);
  const half = (options.totalMemory ?? os.totalmem()) / 2;
  return { parameters, bytes, limit: engine === 'wasm' ? Math.min(half, WASM_MEMORY_BYTES) : half };
}

/**
 * Refuses a model too large to train before anything is created (no run directory, no
 * `config.json` left behind): more than {@link MAX_PARAMETERS} parameters, or an estimated
 * memory need over what the engine may use. One line, exit 2, naming the keys to change.
 *
 * @example
 * checkModelBudget(config, split, 'js'); // throws for --hidden 65536,65536
 */
export function checkModelBudget(
  config: ResolvedConfig,
  split: Split,
  engine: Engine,
  options: ModelBudgetOptions = {},
): ModelBudget {
  const budget = estimateModelBudget(config, split, engine, options);
  const shape = [split.train.features, ...config.model.hidden, split.train.classNames.length].join('-');
  if (budget.parameters > MAX_PARAMETERS) {
    throw new UserError(
      `model.hidden: the ${shape} network has ${fmt(budget.parameters)} parameters, over the limit of ${fmt(MAX_PARAMETERS)}; use narrower layers`,
    );
  }
  if (budget.bytes > budget.limit) {
    throw new UserError(
      `model.hidden: the ${shape} network needs about ${gib(budget.bytes)} per epoch on ${engine}, over the ${gib(budget.limit)} it may use; use narrower layers, fewer --draws or a --batch-size`,
    );
  }
  return budget;
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
