import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { EpochEvent } from '../core/epoch-event.js';
import { RUN_STATES, type RunState } from '../core/run-state.js';
import type { ErrorCounter, InternalComponent } from './internal-component.js';
import { LossbandMetricSet, type RunSeries } from './lossband-metric-set.js';
import { PHASES, type Phase } from './phase.js';
import { RUN_INFO_LABELS, type RunInfo } from './run-info.js';

export { EPOCH_DURATION_BUCKETS } from './lossband-metric-set.js';

/** Options of {@link LossbandMetrics}. */
export interface LossbandMetricsOptions {
  /** Run name, the `run` label on every series. Required, non-empty, unique on the registry. */
  readonly run: string;
  /** Where the first failure of each kind is logged. Defaults to no logging (failures are still counted). */
  readonly log?: Logger | undefined;
  /** Live tensor count of the training backend, read at scrape time. Defaults to none (no series). */
  readonly tensors?: (() => number) | undefined;
}

/**
 * The Prometheus series of one run. Every run on a registry shares one metric per name (see
 * {@link LossbandMetricSet}); this handle owns the run's children, labelled `run`.
 *
 * `recordEpoch` runs every epoch (possibly every millisecond), so it only stores the event and
 * bumps plain counters; gauges read the last event when Prometheus scrapes. Nothing here throws
 * into the training loop: failures are counted in `lossband_internal_errors_total{component}`.
 * {@link retire} keeps a finished run's series for a grace period, then removes them.
 *
 * @example
 * const registry = new Registry();
 * const a = new LossbandMetrics(registry, { run: 'iris-1' });
 * const b = new LossbandMetrics(registry, { run: 'iris-2' }); // same registry, own series
 * a.setState('running');
 * a.recordEpoch(event);
 * await registry.metrics(); // lossband_training_loss{run="iris-1"} 0.35 …
 */
export class LossbandMetrics implements ErrorCounter {
  readonly run: string;
  private readonly set: LossbandMetricSet;
  private readonly series: RunSeries;
  private readonly log: Logger | undefined;
  private readonly logged = new Set<InternalComponent>();
  private retireTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(registry: Registry, options: LossbandMetricsOptions) {
    if (typeof options.run !== 'string' || options.run.length === 0) {
      throw new TypeError(`Invalid run: ${JSON.stringify(options.run)} (expected a non-empty string)`);
    }
    this.run = options.run;
    this.log = options.log;
    this.set = LossbandMetricSet.on(registry);
    this.series = {
      run: options.run,
      labels: { run: options.run },
      last: undefined,
      cleanLoss: undefined,
      epochs: 0,
      epochsInBand: 0,
      nonFinite: 0,
      state: 'starting',
      infoLabels: undefined,
      sigmaMin: undefined,
      sigmaMax: undefined,
      phases: new Map(),
      tensors: options.tensors,
      fail: (component, err) => this.fail(component, err),
    };
    this.set.add(this.series);
  }

  /**
   * Records one finished epoch. Cheap enough for every epoch: it keeps a reference to `e`
   * and bumps three numbers; the histogram is the only prom-client call.
   */
  recordEpoch(e: EpochEvent): void {
    try {
      const s = this.series;
      const seconds = e.durationMs / 1000;
      s.epochs += 1;
      if (e.inBand) s.epochsInBand += 1;
      if (e.nonFinite) s.nonFinite += 1;
      s.last = e;
      if (e.cleanLoss !== undefined) s.cleanLoss = e.cleanLoss;
      if (seconds >= 0 && seconds < Infinity) this.set.observeDuration(this.run, seconds);
    } catch (err) {
      this.fail('metrics', err);
    }
  }

  /** Sets the run state; `lossband_run_state{state}` is 1 for it and 0 for the others. Starts as `starting`. */
  setState(state: RunState): void {
    if (!RUN_STATES.includes(state)) throw new TypeError(`Invalid run state: ${JSON.stringify(state)}`);
    this.series.state = state;
  }

  /** The state last set with {@link setState}. */
  getState(): RunState {
    return this.series.state;
  }

  /** Sets the labels of `lossband_run_info`; a later call replaces the earlier series. */
  setInfo(info: RunInfo): void {
    const labels: Record<string, string> = { run: this.run };
    for (const name of RUN_INFO_LABELS) labels[name] = String(info[name]);
    this.series.infoLabels = labels;
  }

  /** Sets the limits the controller clamps sigma to; the series are absent until this is called. */
  setSigmaLimits(min: number, max: number): void {
    this.series.sigmaMin = min;
    this.series.sigmaMax = max;
  }

  /** Sets how long `phase` took; a later call for the same phase replaces it. */
  observePhase(phase: Phase, seconds: number): void {
    if (!PHASES.includes(phase)) throw new TypeError(`Invalid phase: ${JSON.stringify(phase)}`);
    this.series.phases.set(phase, seconds);
  }

  /** Counts one failure of `component` in `lossband_internal_errors_total`. */
  countError(component: InternalComponent): void {
    this.set.countError(this.run, component);
  }

  /**
   * Keeps the run's series, in their final state, for `graceMs`, then removes them all, so
   * Prometheus sees an explicit end instead of a run that stopped reporting. `0` removes them
   * now. The timer never keeps the process alive.
   */
  retire(graceMs: number): void {
    clearTimeout(this.retireTimer);
    if (!(graceMs > 0)) return this.remove();
    this.retireTimer = setTimeout(() => this.remove(), graceMs);
    this.retireTimer.unref();
  }

  /** Removes every series of this run now. Idempotent. */
  remove(): void {
    clearTimeout(this.retireTimer);
    this.set.remove(this.run);
  }

  private fail(component: InternalComponent, err: unknown): void {
    this.countError(component);
    if (this.log !== undefined && !this.logged.has(component)) {
      this.logged.add(component);
      this.log.error({ err, component }, 'metrics update failed; counting further failures silently');
    }
  }
}
