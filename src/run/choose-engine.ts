import type { ResolvedConfig } from '../config/resolved-config.js';
import type { Split } from '../data/dataset.js';
import { selectEngine, stepWork, type Engine } from '../engines/select-engine.js';

/** K assumed for the work estimate when draws are `auto` (they vary during a run; 8 is typical). */
const TYPICAL_AUTO_DRAWS = 8;

/**
 * The engine a run computes on: `config.backend`, or for `auto` the fastest for this model's
 * work per optimiser step (see {@link selectEngine}).
 *
 * @example
 * await chooseEngine(resolveConfig([], new Date()), irisSplit); // 'js'
 */
export async function chooseEngine(config: ResolvedConfig, split: Split): Promise<Engine> {
  const work = stepWork({
    rows: split.train.rows,
    draws: typeof config.noise.draws === 'number' ? config.noise.draws : TYPICAL_AUTO_DRAWS,
    batchSize: config.model.batchSize,
    widths: [split.train.features, ...config.model.hidden, split.train.classNames.length],
  });
  return selectEngine(config.backend === 'auto' ? undefined : config.backend, work);
}
