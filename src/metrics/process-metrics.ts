import { collectDefaultMetrics, type Registry } from 'prom-client';

/** Options of {@link registerProcessMetrics}. */
export interface ProcessMetricsOptions {
  /** Labels added to every process series, e.g. `{ run }`. Defaults to none. */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** Event-loop delay sampling resolution in milliseconds. Defaults to 10. */
  readonly eventLoopMonitoringPrecision?: number | undefined;
}

/**
 * prom-client gauges whose `_total` suffix `promtool check metrics` rejects (only counters may
 * end in `_total`). Each is the sum over `type` of the same metric without the suffix.
 */
const MISNAMED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * Registers prom-client's process and Node.js metrics (`process_cpu_seconds_total`,
 * `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`, …) on `registry`.
 *
 * The three `nodejs_active_*_total` gauges are dropped: their names break the Prometheus
 * naming lint, and `sum(nodejs_active_handles)` gives the same number.
 *
 * The rest keep their standard unprefixed names on purpose: every Prometheus user and stock
 * dashboard knows them, and they describe the process, not the lossband domain.
 *
 * @example
 * const registry = new Registry();
 * registerProcessMetrics(registry);
 */
export function registerProcessMetrics(registry: Registry, options: ProcessMetricsOptions = {}): void {
  collectDefaultMetrics({
    register: registry,
    labels: { ...options.labels },
    eventLoopMonitoringPrecision: options.eventLoopMonitoringPrecision ?? 10,
  });
  for (const name of MISNAMED) registry.removeSingleMetric(name);
}
