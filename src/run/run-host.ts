import { Registry } from 'prom-client';
import { pino, type Logger } from 'pino';
import { LossbandMetricSet } from '../metrics/lossband-metric-set.js';
import { LossbandMetrics, registerProcessMetrics } from '../metrics/index.js';
import type { RunServer } from '../server/index.js';
import type { RunControl } from '../server/run-control.js';
import type { InternalComponent } from '../metrics/internal-component.js';
import type { EpochEvent } from '../core/epoch-event.js';
import type { EpochSink } from '../core/epoch-sink.js';
import { EventBatcher } from '../live/event-batcher.js';
import { readFeedHistory } from './read-feed-history.js';
import { RemoteRunsRegistry, type MetricsJson } from './remote-runs-registry.js';

/** Options of {@link RunHost.start}. */
export interface RunHostOptions {
  /** Port of the metrics server and control API; `0` serves nothing. Defaults to 9464. */
  readonly port?: number | undefined;
  /** Interface to bind. Defaults to `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Whether the user chose `port`: a busy chosen port is an error, a busy default one only a warning. Defaults to true. */
  readonly portExplicit?: boolean | undefined;
  /** Bearer token of the control API; without one, changes answer 403. Defaults to none. */
  readonly token?: string | undefined;
  /** Operational log. Defaults to warnings on stderr. */
  readonly log?: Logger | undefined;
  /** Live tensor count of the training backend (`lossband_tensors`). Defaults to none. */
  readonly tensors?: (() => number) | undefined;
  /** How long an ended run's series stay exported, in ms. Defaults to 60000. */
  readonly retireAfterMs?: number | undefined;
  /**
   * At close, how long to wait for Prometheus to scrape the final state, in ms (only when
   * something scraped the server before). Defaults to 15000; after a signal at most 1500.
   */
  readonly lingerMs?: number | undefined;
  /**
   * Series of runs that live on other threads (a sweep's workers), each entry one thread's
   * latest {@link RunHost.runMetricsJSON}: `/metrics` serves them beside this host's own runs
   * (see `RemoteRunsRegistry`). Read at every render. Defaults to none.
   */
  readonly remoteRuns?: (() => readonly MetricsJson[]) | undefined;
}

/** The signals that stop a run (the first) or the process (the second). */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

let processRegistry: Registry | undefined;

/**
 * prom-client's process and Node.js collectors, registered once per process: each
 * registration starts its own event-loop monitor and GC observer.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    registerProcessMetrics(processRegistry);
  }
  return processRegistry;
}

/**
 * What one process offers its runs: a metrics registry with a child series per run, the HTTP
 * server (`/metrics`, `/healthz`, `/readyz`, the control API listing every run), and signal
 * handling that stops every run at its epoch boundary. A CLI run, a sweep and a library user's
 * `model.fit` all use one.
 *
 * @example
 * const host = await RunHost.start({ port: 9464 });
 * const metrics = host.metricsFor('iris-1');
 * host.add(run);            // listed by /api/runs, steered by the API
 * …
 * host.retire(run);         // its series end after the grace period
 * await host.close();
 */
export class RunHost {
  readonly log: Logger;
  /** The registry `/metrics` serves: process metrics plus every run's series. */
  readonly registry: Registry;
  /** The HTTP server, unless port 0 or the default port was busy. */
  readonly server: RunServer | undefined;
  private readonly runRegistry: Registry;
  private readonly runs: RunControl[] = [];
  private readonly metrics = new Map<string, LossbandMetrics>();
  private readonly o: RunHostOptions;
  private started = false;
  private detachSignals: (() => void) | undefined;

  private constructor(
    o: RunHostOptions,
    log: Logger,
    runRegistry: Registry,
    registry: Registry,
    server: RunServer | undefined,
  ) {
    this.o = o;
    this.log = log;
    this.runRegistry = runRegistry;
    this.registry = registry;
    this.server = server;
  }

  /** Creates the registry and, unless `port` is 0, starts the server. */
  static async start(options: RunHostOptions = {}): Promise<RunHost> {
    const log = options.log ?? pino({ level: 'warn' }, pino.destination(2));
    const runRegistry = new Registry();
    // Every lossband metric name exists before the merge below copies the registry's metrics.
    LossbandMetricSet.on(runRegistry);
    const registry = options.remoteRuns
      ? new RemoteRunsRegistry(processMetrics(), runRegistry, options.remoteRuns)
      : Registry.merge([processMetrics(), runRegistry]);
    const holder: { host?: RunHost } = {};
    const port = options.port ?? 9464;
    // Server and API failures are counted on the newest run's series (the only one for a CLI run).
    const errors = { countError: (c: InternalComponent) => holder.host?.countError(c) };
    // express and the server thread load only when something is served.
    const { startRunServer } = port === 0 ? ({} as never) : await import('../server/start-run-server.js');
    const server =
      port === 0
        ? undefined
        : // One app on the server thread: reads answer from published snapshots; API changes are
          // validated there and run here, on the main thread, against `runs`.
          await startRunServer({
            registry,
            runs: () => holder.host?.runs ?? [],
            token: options.token,
            isReady: () => holder.host?.ready ?? false,
            errors,
            host: options.host,
            port,
            portExplicit: options.portExplicit ?? true,
            log,
          });
    const host = new RunHost(options, log, runRegistry, registry, server);
    holder.host = host;
    if (server) host.batcher.start();
    return host;
  }

  /** URL of the server, if one listens. */
  get url(): string | undefined {
    return this.server?.url;
  }

  /** `/readyz`: some run has started training. */
  get ready(): boolean {
    return this.started;
  }

  /** The series of run `run` on this host's registry. */
  metricsFor(run: string): LossbandMetrics {
    const existing = this.metrics.get(run);
    if (existing) {
      existing.remove();
      this.metrics.delete(run);
    }
    const metrics = new LossbandMetrics(this.runRegistry, { run, log: this.log, tensors: this.o.tensors });
    this.metrics.set(run, metrics);
    return metrics;
  }

  /**
   * This host's run series without the process metrics, as plain data: what a worker thread
   * posts to the host that serves its runs (see {@link RunHostOptions.remoteRuns}).
   */
  runMetricsJSON(): Promise<MetricsJson> {
    return this.runRegistry.getMetricsAsJSON();
  }

  /** Counts a failure of the host's own parts (server, API) on the newest run's series. */
  countError(component: InternalComponent): void {
    const newest = [...this.metrics.values()].at(-1);
    newest?.countError(component);
  }

  /** Lists `run` in the API (and marks the host ready). */
  add(run: RunControl): void {
    if (!this.runs.includes(run)) this.runs.push(run);
    this.started = true;
  }

  /** Keeps an ended run's series for the grace period, then removes them; the API keeps listing it. */
  retire(run: RunControl): void {
    this.metrics.get(run.run)?.retire(this.o.retireAfterMs ?? 60_000);
  }

  /** Every run added so far. */
  get all(): readonly RunControl[] {
    return this.runs;
  }

  /** Publishes a metrics snapshot if one is due; cheap, call after epochs. */
  publish(): void {
    this.server?.publish();
  }

  /**
   * First SIGINT/SIGTERM: every run stops at its epoch boundary. Second: exit at once (130 or
   * 143), also in the middle of a long epoch: the built-in engines yield to the event loop
   * every 50 ms between batches (`TrainablePlant.stepSliced`), so the handler runs within one
   * batch. Returns a function that removes the handlers.
   *
   * The handlers stay installed after the first signal: removing them would hand the next
   * signal to the kernel's default action, but a second signal that libuv had already read in
   * the same turn would then be dropped.
   */
  handleSignals(): () => void {
    this.detachSignals?.();
    let seen = 0;
    const handler = (signal: NodeJS.Signals): void => {
      seen += 1;
      this.signalled = true;
      if (seen > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
      for (const run of this.runs) run.stop();
    };
    for (const sig of SIGNALS) process.on(sig, handler);
    this.detachSignals = () => {
      for (const sig of SIGNALS) process.off(sig, handler);
      this.detachSignals = undefined;
    };
    return this.detachSignals;
  }

  /**
   * Publishes the final state, waits until Prometheus has scraped it (only if a scraper was
   * seen; at most `lingerMs`, or 1.5 s after a signal), then closes the server. Without that
   * wait a normal end would look like a crash to `LossbandTrainerDown`. A second signal during
   * the wait still exits at once. Never rejects.
   */
  async close(): Promise<void> {
    this.batcher.flush();
    this.batcher.stop();
    await this.server?.flush();
    const linger = this.o.lingerMs ?? 15_000;
    if (this.server && linger > 0)
      await this.server.lingerUntilScraped(this.signalled ? Math.min(linger, 1500) : linger);
    this.detachSignals?.();
    await this.server?.close();
  }
  private signalled = false;
  /** Batches epoch events for the live page's feed on the server thread (at most every 250 ms). */
  private readonly batcher = new EventBatcher<EpochEvent>({ post: (events) => this.server?.pushEvents(events) });

  /** Add it to a run's sinks to show its epochs on the live page (`GET /` on the metrics port). */
  readonly feedSink: EpochSink = {
    epoch: (event) => {
      if (this.server) this.batcher.add(event);
    },
    stop: () => this.batcher.flush(),
  };

  /**
   * Gives the live page a resumed run's past: reads the run directory's history up to epoch
   * `upTo` in bounded memory, decimated (`readFeedHistory`), and posts it to the feed ahead of
   * any new epoch, so a page opened after the resume charts the whole run. Call once, after
   * `Run.open` and before the first new epoch. Never rejects: a failure is logged and counted
   * (`server`), and the page then shows the new epochs only.
   */
  async seedFeed(dir: string, run: string, upTo: number): Promise<void> {
    if (!this.server) return;
    try {
      const { events } = await readFeedHistory(dir, { run, upTo });
      this.batcher.flush(); // anything queued before goes first, as it came first
      if (events.length > 0) this.server.pushEvents(events);
    } catch (err) {
      this.countError('server');
      this.log.error({ err, run }, 'reading the history for the live page failed; it shows new epochs only');
    }
  }

  /** Whether SIGINT/SIGTERM asked the runs to stop. */
  get stoppedBySignal(): boolean {
    return this.signalled;
  }
}
