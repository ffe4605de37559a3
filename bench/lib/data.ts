import type { ConfigInput } from '../../src/config/schema.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { loadSplit } from '../../src/run/load-split.js';
import type { Split } from '../../src/data/dataset.js';

/** The two workloads every section measures. */
export type ModelName = 'iris' | 'mid';

/** CLI-equivalent config layers of a workload (draws fixed at 1 so both sides do equal work). */
export function workloadConfig(model: ModelName, extra: ConfigInput = {}): ConfigInput[] {
  const base: ConfigInput =
    model === 'iris'
      ? { preset: 'default', data: { path: 'iris' } }
      : { preset: 'default', data: { path: 'blobs' }, model: { hidden: [256] } };
  return [base, { noise: { draws: 1 } }, extra];
}

/** The resolved config, exactly as `lossband run` would resolve it. */
export function resolveWorkload(model: ModelName, extra: ConfigInput = {}): ResolvedConfig {
  return resolveConfig(workloadConfig(model, extra), new Date());
}

/** The train/test split the CLI trains on for a workload (same loader, split and standardisation). */
export function workloadSplit(model: ModelName): Split {
  return loadSplit(resolveWorkload(model), (_name, work) => work());
}

/** Hidden widths of a workload. */
export function workloadHidden(model: ModelName): number[] {
  return model === 'iris' ? [10] : [256];
}
