import { AggregatorRegistry, Registry, type PrometheusContentType } from 'prom-client';

/** One registry's series as `registry.getMetricsAsJSON()` gives them: plain data that can cross threads. */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * The registry a host serves when some of its runs live elsewhere (a sweep's worker threads):
 * the process metrics, plus this host's own run series merged with the series the other
 * threads last posted. The merge is prom-client's cluster aggregator
 * (`AggregatorRegistry.aggregate`); every lossband series carries a `run` label and each run
 * lives on exactly one thread, so no two samples share a label set and nothing is summed.
 *
 * It is computed at each `metrics()` call, so whatever reads the registry (the publisher that
 * feeds the server thread, a direct scrape) sees the latest posts.
 *
 * @example
 * const posted = new Map<number, MetricsJson>(); // filled by worker messages
 * const registry = new RemoteRunsRegistry(processRegistry, runRegistry, () => [...posted.values()]);
 * await registry.metrics(); // lossband_epochs_total{run="a"} … {run="b"} …
 */
export class RemoteRunsRegistry extends Registry {
  constructor(
    private readonly processMetrics: Registry,
    private readonly localRuns: Registry,
    private readonly remoteRuns: () => readonly MetricsJson[],
  ) {
    super();
  }

  override async metrics(): Promise<string> {
    return (await this.combined()).metrics();
  }

  override async getMetricsAsJSON(): Promise<MetricsJson> {
    return (await this.combined()).getMetricsAsJSON();
  }

  private async combined(): Promise<Registry> {
    const runs = AggregatorRegistry.aggregate<PrometheusContentType>([
      await this.localRuns.getMetricsAsJSON(),
      ...this.remoteRuns(),
    ]);
    return Registry.merge([this.processMetrics, runs]);
  }
}
