import type { ResolvedConfig } from '../config/resolved-config.js';
import type { Split } from '../data/dataset.js';
import { loadDataset } from '../data/datasets.js';
import { irisSeedSplit, splitDataset } from '../data/split.js';
import { standardize } from '../data/standardize.js';

/** Loads the configured data and returns the (optionally standardised) train/test split. */
export function loadSplit(config: ResolvedConfig, phase: <T>(name: 'data_load' | 'preprocess', work: () => T) => T): Split {
  const { data } = config;
  if (data.split === 'seed') {
    const split = phase('data_load', () => irisSeedSplit());
    return phase('preprocess', () => (data.standardize ? standardize(split).split : split));
  }
  const dataset = phase('data_load', () => loadDataset(data.path, { label: data.label }));
  return phase('preprocess', () => {
    const split = splitDataset(dataset, { testFraction: data.testFraction, seed: config.seed, stratify: true });
    return data.standardize ? standardize(split).split : split;
  });
}
