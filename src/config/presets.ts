import { DEFAULT_NOISE_BUDGET } from '../control/draws-budget.js';
import type { ResolvedConfig } from './resolved-config.js';

/** A preset leaves `noise.scale` to {@link resolveConfig} when it depends on `data.standardize`. */
type Preset = Omit<ResolvedConfig, 'name' | 'out' | 'noise'> & {
  readonly noise: Omit<ResolvedConfig['noise'], 'scale'> & { readonly scale?: ResolvedConfig['noise']['scale'] };
};

const common: Omit<Preset, 'preset' | 'epochs' | 'data' | 'noise' | 'controller'> = {
  seed: 42,
  backend: 'auto',
  model: { hidden: [10], optimizer: 'adam', learningRate: 0.01, batchSize: null },
  band: { lo: 0.3, hi: 0.4 },
  server: { port: 9464, host: '127.0.0.1' },
  checkpointEvery: 100,
  events: { every: 1, rotateBytes: 64 * 1024 * 1024 },
  // One forward pass over the training split every 50 epochs. On Iris (plain-JS engine) it adds
  // 74 % to a one-draw epoch when done every epoch, so 1.5 % here; 1 % at 4 draws, 0.2 % at 16.
  metrics: { cleanEvery: 50 },
  onNonFinite: 'stop',
};

/**
 * Built-in starting points. `default`: bundled Iris, standardised, the pid controller
 * holding the noisy loss in [0.30, 0.40] for 2000 epochs. `seed`: the tutorial program —
 * 50 epochs, raw centimetres, the sklearn split, σ = 0.1 fixed, Adam 0.01.
 */
export const PRESETS: Readonly<Record<'default' | 'seed', Preset>> = {
  default: {
    ...common,
    preset: 'default',
    epochs: 2000,
    data: { path: 'iris', testFraction: 0.2, standardize: true, split: 'random' },
    noise: { min: 0.1, max: 10, draws: 'auto', maxDraws: 16, budget: DEFAULT_NOISE_BUDGET, antithetic: true },
    controller: { type: 'pid', signal: 'noisy' },
  },
  seed: {
    ...common,
    preset: 'seed',
    epochs: 50,
    data: { path: 'iris', testFraction: 0.2, standardize: false, split: 'seed' },
    noise: {
      sigma: 0.1,
      min: 0.01,
      max: 10,
      draws: 1,
      maxDraws: 16,
      scale: 'absolute',
      budget: DEFAULT_NOISE_BUDGET,
      antithetic: false,
    },
    controller: { type: 'fixed', signal: 'noisy' },
  },
};
