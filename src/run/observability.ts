import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { RunControl } from '../server/run-control.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { LossbandMetrics, registerProcessMetrics } from '../metrics/index.js';
import { startRunServer, type RunServer } from '../server/index.js';

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
  /** The runs the control API shows and steers (read on the main thread). Defaults to none. */
  readonly runs?: () => readonly RunControl[];
  /** Bearer token of the control API; without one, changes answer 403. */
  readonly token?: string | undefined;
}

/** A run's metrics and, unless `--port 0`, the HTTP server exposing them. */
export interface Observability {
  readonly metrics: LossbandMetrics;
  readonly registry: Registry;
  /**
   * Serves scrapes, probes and the control API from a worker thread; `flush()` publishes the
   * final state, `lingerUntilScraped(ms)` also waits for Prometheus to scrape it.
   */
  readonly server: RunServer | undefined;
  close(): Promise<void>;
}

let processRegistry: Registry | undefined;

/**
 * prom-client's process and Node.js collectors, registered once per process: each
 * registration starts its own event-loop monitor and GC observer, which would pile up over
 * runs in one process.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    registerProcessMetrics(processRegistry);
  }
  return processRegistry;
}

/** Registers the run's metrics on a fresh registry and starts the server. */
export async function startObservability(options: ObservabilityOptions): Promise<Observability> {
  const { config, log } = options;
  const runRegistry = new Registry();
  const metrics = new LossbandMetrics(runRegistry, { run: config.name, log, tensors: options.tensors });
  const registry = Registry.merge([processMetrics(), runRegistry]);
  metrics.setSigmaLimits(config.noise.min, config.noise.max);
  const server =
    config.server.port === 0
      ? undefined
      : await startRunServer({
          registry,
          runs: options.runs,
          token: options.token,
          isReady: options.isReady,
          errors: metrics,
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
