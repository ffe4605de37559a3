import type { ResolvedConfig } from '../config/resolved-config.js';
import type { Split } from '../data/dataset.js';
import { dataFilePath, loadDataset } from '../data/datasets.js';
import { irisSeedSplit, splitDataset } from '../data/split.js';
import { standardize } from '../data/standardize.js';

/** Loads the configured data and returns the (optionally standardised) train/test split. */
export function loadSplit(
  config: ResolvedConfig,
  phase: <T>(name: 'data_load' | 'preprocess', work: () => T) => T,
): Split {
  const { data } = config;
  if (data.split === 'seed') {
    const split = phase('data_load', () => irisSeedSplit());
    return phase('preprocess', () => (data.standardize ? standardize(split).split : split));
  }
  const dataset = phase('data_load', () => loadDataset(data.path, { label: data.label, sha256: data.sha256 }));
  return phase('preprocess', () => {
    const split = splitDataset(dataset, { testFraction: data.testFraction, seed: config.seed, stratify: true });
    return data.standardize ? standardize(split).split : split;
  });
}

/**
 * The config a run records in `config.json`: for data read from a CSV file, its absolute path
 * (a relative `--data` then resumes from any working directory) and the SHA-256 of the bytes
 * loaded (a resume refuses a file changed since).
 */
export function withDataOrigin(config: ResolvedConfig, split: Split): ResolvedConfig {
  const origin = split.train.origin;
  if (origin === undefined) return config;
  return {
    ...config,
    data: { ...config.data, path: dataFilePath(config.data.path) ?? config.data.path, sha256: origin.sha256 },
  };
}
