import path from 'node:path';
import { resolveConfig } from '../config/resolve-config.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { SweepPoint } from './expand-sweep.js';

/** Where a sweep serves its runs: recorded in each run's `config.json`, so `lossband run --resume` of one run serves it alike. */
export interface SweepServer {
  readonly port: number;
  readonly host: string;
}

/**
 * The resolved config of sweep point `point`: its validated config, its run directory
 * `<out>/<point.name>` and the sweep's server. The same point, `out` and server always give
 * the same config, whether a local sweep or `--index` in a pod resolves it.
 *
 * @example
 * pointConfig(points[3], 'runs/iris-bands', { port: 9464, host: '127.0.0.1' }).out; // 'runs/iris-bands/iris-bands-3-…'
 */
export function pointConfig(point: SweepPoint, out: string, server: SweepServer): ResolvedConfig {
  // The clock only names unnamed runs, and every point has a name.
  return resolveConfig(
    [point.config, { out: path.join(out, point.name), server: { port: server.port, host: server.host } }],
    new Date(0),
  );
}
