import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Router } from 'express';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { LossbandMetrics, registerProcessMetrics } from '../metrics/index.js';
import { createApp, startServer, type RunningServer } from '../server/index.js';

/** Options of {@link startObservability}. */
export interface ObservabilityOptions {
  readonly config: ResolvedConfig;
  /** Whether the user chose the port (a busy chosen port is an error; a busy default one is not). */
  readonly portExplicit: boolean;
  readonly log: Logger;
  /** Whether training has started (for `/readyz`). */
  readonly isReady: () => boolean;
  /** Live tensor count, exported as `lossband_tensors`. */
  readonly tensors?: () => number;
  /** Extra routers, e.g. the control API. */
  readonly routes?: readonly { readonly path: string; readonly router: Router }[];
}

/** A run's metrics and, unless `--port 0`, the HTTP server exposing them. */
export interface Observability {
  readonly metrics: LossbandMetrics;
  readonly registry: Registry;
  readonly server: RunningServer | undefined;
  close(): Promise<void>;
}

/** Registers the run's metrics on a fresh registry and starts the server. */
export async function startObservability(options: ObservabilityOptions): Promise<Observability> {
  const { config, log } = options;
  const registry = new Registry();
  registerProcessMetrics(registry);
  const metrics = new LossbandMetrics(registry, { run: config.name, log, tensors: options.tensors });
  metrics.setSigmaLimits(config.noise.min, config.noise.max);
  const server =
    config.server.port === 0
      ? undefined
      : await startServer({
          app: createApp({ registry, isReady: options.isReady, errors: metrics, log, routes: options.routes }),
          host: config.server.host,
          port: config.server.port,
          portExplicit: options.portExplicit,
          log,
        });
  return {
    metrics,
    registry,
    server,
    close: async () => {
      await server?.close();
    },
  };
}
