import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EpochEvent } from '../core/epoch-event.js';
import { RUN_STATES, type RunState } from '../core/run-state.js';
import { EPOCH_GAUGES } from './epoch-gauges.js';
import { INTERNAL_COMPONENTS, type InternalComponent } from './internal-component.js';
import type { Phase } from './phase.js';
import { RUN_INFO_LABELS } from './run-info.js';

/** Buckets of `lossband_epoch_duration_seconds`: 0.5 ms (tiny MLPs) to 10 s (big models). */
export const EPOCH_DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

type Labels = Record<string, string>;

/** What the metric set reads of one run at scrape time; `LossbandMetrics` writes it. */
export interface RunSeries {
  readonly run: string;
  readonly labels: Labels;
  last: EpochEvent | undefined;
  /** The last clean loss measured (see `EpochMemory`). */
  cleanLoss: number | undefined;
  epochs: number;
  epochsInBand: number;
  nonFinite: number;
  state: RunState;
  infoLabels: Labels | undefined;
  sigmaMin: number | undefined;
  sigmaMax: number | undefined;
  readonly phases: Map<Phase, number>;
  readonly tensors: (() => number) | undefined;
  /** Called when a collect callback fails for this run. */
  readonly fail: (component: InternalComponent, err: unknown) => void;
}

/** Counter totals already reported to prom-client, per run and counter. */
type Reported = Map<string, number>;

const sets = new WeakMap<Registry, LossbandMetricSet>();

/**
 * The lossband metrics of a process: every metric name registered once on a registry, with one
 * child series per run (`run` label). Values are read off each run's {@link RunSeries} at scrape
 * time, so recording an epoch costs a reference store. A run removed with {@link remove} loses
 * all its series, so Prometheus sees them end.
 *
 * @example
 * const set = LossbandMetricSet.on(registry);
 * set.add(series); // usually through `new LossbandMetrics(registry, { run })`
 */
export class LossbandMetricSet {
  private readonly runs = new Map<string, RunSeries>();
  private readonly durations: Histogram<string>;
  private readonly errors: Counter<string>;
  private readonly counters: Counter<string>[] = [];

  /** The set registered on `registry`, created on first use. */
  static on(registry: Registry): LossbandMetricSet {
    let set = sets.get(registry);
    if (!set) {
      set = new LossbandMetricSet(registry);
      sets.set(registry, set);
    }
    return set;
  }

  private constructor(registry: Registry) {
    const registers = [registry];
    const runs = this.runs;
    /** Runs `read` for every run; a failure costs that run's series of this metric, not the scrape. */
    const each = (read: (s: RunSeries) => void): void => {
      for (const s of runs.values()) {
        try {
          read(s);
        } catch (err) {
          s.fail('metrics', err);
        }
      }
    };

    for (const spec of EPOCH_GAUGES) {
      const { split, read } = spec;
      new Gauge({
        name: spec.name,
        help: spec.help,
        labelNames: split ? ['run', split.label] : ['run'],
        registers,
        collect() {
          this.reset();
          each((s) => {
            const e = s.last;
            if (e === undefined) return;
            if (split)
              for (const [value, get] of Object.entries(split.values))
                this.set({ run: s.run, [split.label]: value }, get(e));
            const value = read?.(e, s);
            if (value !== undefined) this.set(s.labels, value);
          });
        },
      });
    }

    this.counter(registry, 'lossband_epochs_total', 'Epochs finished by this process.', (s) => s.epochs);
    this.counter(
      registry,
      'lossband_epochs_in_band_total',
      'Epochs whose training loss lay inside the band.',
      (s) => s.epochsInBand,
    );
    this.counter(
      registry,
      'lossband_loss_non_finite_total',
      'Epochs whose loss or weights became NaN or +-Inf.',
      (s) => s.nonFinite,
    );

    this.durations = new Histogram({
      name: 'lossband_epoch_duration_seconds',
      help: 'Wall time of one training epoch.',
      labelNames: ['run'],
      buckets: [...EPOCH_DURATION_BUCKETS],
      registers,
    });

    const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge<string>) => void): void => {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          collect(this);
        },
      });
    };
    gauge(
      'lossband_tensors',
      'Tensors alive in the training backend; constant during a healthy run (a rise is a leak).',
      ['run'],
      (g) => each((s) => s.tensors !== undefined && g.set(s.labels, s.tensors())),
    );
    gauge('lossband_noise_sigma_min', 'Lower limit the controller may set sigma to.', ['run'], (g) =>
      each((s) => s.sigmaMin !== undefined && g.set(s.labels, s.sigmaMin)),
    );
    gauge('lossband_noise_sigma_max', 'Upper limit the controller may set sigma to.', ['run'], (g) =>
      each((s) => s.sigmaMax !== undefined && g.set(s.labels, s.sigmaMax)),
    );
    gauge('lossband_run_state', 'Run state: 1 for the current state, 0 for the others.', ['run', 'state'], (g) =>
      each((s) => {
        for (const state of RUN_STATES) g.set({ run: s.run, state }, state === s.state ? 1 : 0);
      }),
    );
    gauge('lossband_run_info', 'Static facts about the run, as labels; always 1.', ['run', ...RUN_INFO_LABELS], (g) =>
      each((s) => s.infoLabels !== undefined && g.set(s.infoLabels, 1)),
    );
    gauge('lossband_phase_duration_seconds', 'Wall time each phase of the run took.', ['run', 'phase'], (g) =>
      each((s) => {
        for (const [phase, seconds] of s.phases) g.set({ run: s.run, phase }, seconds);
      }),
    );
    this.errors = new Counter({
      name: 'lossband_internal_errors_total',
      help: 'Failures in exporters, the server or the store; they never stop training.',
      labelNames: ['run', 'component'],
      registers,
    });
  }

  /** Starts exporting `series`; a run name already exported is refused. */
  add(series: RunSeries): void {
    if (this.runs.has(series.run))
      throw new TypeError(`Invalid run: ${JSON.stringify(series.run)} is already exported on this registry`);
    this.runs.set(series.run, series);
    for (const component of INTERNAL_COMPONENTS) this.errors.inc({ run: series.run, component }, 0);
  }

  /** Every run exported now. */
  get size(): number {
    return this.runs.size;
  }

  /** Observes one epoch's duration for `run`. */
  observeDuration(run: string, seconds: number): void {
    this.durations.observe({ run }, seconds);
  }

  /** Counts one internal failure of `component` for `run`. */
  countError(run: string, component: InternalComponent): void {
    this.errors.inc({ run, component });
  }

  /** Stops exporting `run`: every series with its label disappears from the next scrape. Idempotent. */
  remove(run: string): void {
    if (!this.runs.delete(run)) return;
    this.durations.remove({ run });
    for (const component of INTERNAL_COMPONENTS) this.errors.remove({ run, component });
    for (const counter of this.counters) counter.remove({ run });
    this.reported.delete(run);
  }

  private readonly reported = new Map<string, Reported>();

  private counter(registry: Registry, name: string, help: string, total: (s: RunSeries) => number): void {
    const runs = this.runs;
    const reportedByRun = (): Map<string, Reported> => this.reported;
    const counter: Counter<string> = new Counter({
      name,
      help,
      labelNames: ['run'],
      registers: [registry],
      collect() {
        for (const s of runs.values()) {
          let reported = reportedByRun().get(s.run);
          if (!reported) {
            reported = new Map();
            reportedByRun().set(s.run, reported);
          }
          const now = total(s);
          const before = reported.get(name) ?? 0;
          // inc(0) makes the series exist from the first scrape on.
          this.inc(s.labels, Math.max(0, now - before));
          reported.set(name, Math.max(now, before));
        }
      },
    });
    this.counters.push(counter);
  }
}
