import path from 'node:path';
import { UserError } from '../core/user-error.js';
import { PRESETS } from './presets.js';
import type { ResolvedConfig } from './resolved-config.js';
import type { ConfigInput } from './schema.js';

function timestampName(date: Date): string {
  const iso = date.toISOString().replace(/[-:]/g, '').replace('T', '-');
  return iso.slice(0, 15);
}

/**
 * Layers a preset, a config file and flags (later wins, key by key) into a complete run
 * configuration, then checks the constraints that span keys.
 *
 * @example
 * resolveConfig([{ preset: 'seed' }, { epochs: 200 }], new Date());
 */
export function resolveConfig(layers: readonly ConfigInput[], now: Date): ResolvedConfig {
  const pick = <K extends keyof ConfigInput>(key: K): ConfigInput[K] =>
    layers.reduce<ConfigInput[K]>((acc, layer) => (layer[key] !== undefined ? layer[key] : acc), undefined);
  const presetName = pick('preset') ?? 'default';
  const preset = PRESETS[presetName];
  const section = <K extends 'data' | 'model' | 'noise' | 'controller' | 'server' | 'events' | 'metrics'>(key: K) =>
    Object.assign({}, preset[key], ...layers.map((l) => l[key] ?? {})) as ResolvedConfig[K];
  const name = pick('name') ?? `${presetName}-${timestampName(now)}`;
  const config: ResolvedConfig = {
    ...preset,
    name,
    preset: presetName,
    epochs: pick('epochs') ?? preset.epochs,
    seed: pick('seed') ?? preset.seed,
    backend: pick('backend') ?? preset.backend,
    out: pick('out') ?? path.join('runs', name),
    data: section('data'),
    model: section('model'),
    noise: {
      ...section('noise'),
      scale: section('noise').scale ?? (section('data').standardize ? 'absolute' : 'feature'),
    },
    band: pick('band') ?? preset.band,
    controller: section('controller'),
    server: section('server'),
    checkpointEvery: pick('checkpointEvery') ?? preset.checkpointEvery,
    events: section('events'),
    metrics: section('metrics'),
    onNonFinite: pick('onNonFinite') ?? preset.onNonFinite,
  };
  if (config.noise.min >= config.noise.max) {
    throw new UserError(`noise.min: must be less than noise.max (${config.noise.min} >= ${config.noise.max})`);
  }
  if (config.data.split === 'seed' && config.data.path !== 'iris') {
    throw new UserError(`data.split: "seed" is the seed program's Iris split; it cannot split ${config.data.path}`);
  }
  return config;
}
