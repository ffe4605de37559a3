import type { ResolvedConfig } from '../config/resolved-config.js';
import type { Split } from '../data/dataset.js';
import { selectEngine, stepWork, type Engine } from '../engines/select-engine.js';
import { loopOptions, runShape } from './create-actuator.js';

/**
 * The engine a run computes on: `config.backend`, or for `auto` the fastest for this model's
 * work per optimiser step (see {@link selectEngine}). With `draws: auto` the work is counted at
 * the largest K the run may use — the cap `noise.budget` and `noise.maxDraws` set for this
 * model, the same one the loop enforces — since the epochs that hold the band run near it:
 * K = 2 for the 256-256 digits model, 16 for Iris (a fixed guess of 8 overstated the first
 * fourfold and understated the second twofold).
 *
 * @example
 * await chooseEngine(resolveConfig([], new Date()), irisSplit); // 'js'
 */
export async function chooseEngine(config: ResolvedConfig, split: Split): Promise<Engine> {
  const draws =
    typeof config.noise.draws === 'number'
      ? config.noise.draws
      : (loopOptions(config, runShape(split)).drawsPolicy?.maxDraws ?? config.noise.maxDraws);
  const work = stepWork({
    rows: split.train.rows,
    draws,
    batchSize: config.model.batchSize,
    widths: [split.train.features, ...config.model.hidden, split.train.classNames.length],
  });
  return selectEngine(config.backend === 'auto' ? undefined : config.backend, work);
}
