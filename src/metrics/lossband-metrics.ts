import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { EpochEvent } from '../core/epoch-event.js';
import { EPOCH_GAUGES } from './epoch-gauges.js';
import { INTERNAL_COMPONENTS, type ErrorCounter, type InternalComponent } from './internal-component.js';
import { PHASES, type Phase } from './phase.js';
import { RUN_INFO_LABELS, type RunInfo } from './run-info.js';
import { RUN_STATES, type RunState } from '../core/run-state.js';

/** Buckets of `lossband_epoch_duration_seconds`: 0.5 ms (tiny MLPs) to 10 s (big models). */
export const EPOCH_DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Options of {@link LossbandMetrics}. */
export interface LossbandMetricsOptions {
  /** Run name, the `run` label on every series. Required, non-empty. */
  readonly run: string;
  /** Where the first failure of each kind is logged. Defaults to no logging (failures are still counted). */
  readonly log?: Logger | undefined;
  /** Live tensor count of the training backend, read at scrape time. Defaults to none (no series). */
  readonly tensors?: (() => number) | undefined;
}

type Labels = Record<string, string>;

/**
 * The Prometheus metrics of one run, registered on the registry passed in.
 *
 * `recordEpoch` runs every epoch (possibly every millisecond), so it only stores the event and
 * bumps plain counters; gauges read the last event when Prometheus scrapes. Nothing here throws
 * into the training loop: failures are counted in `lossband_internal_errors_total{component}`.
 *
 * @example
 * const registry = new Registry();
 * const metrics = new LossbandMetrics(registry, { run: 'iris-1' });
 * metrics.setState('running');
 * metrics.recordEpoch(event);
 * await registry.metrics(); // lossband_training_loss{run="iris-1"} 0.35 …
 */
export class LossbandMetrics implements ErrorCounter {
  readonly run: string;
  private readonly log: Logger | undefined;
  private readonly labels: Labels;
  private last: EpochEvent | undefined;
  private epochs = 0;
  private epochsInBand = 0;
  private nonFinite = 0;
  private state: RunState = 'starting';
  private infoLabels: Labels | undefined;
  private sigmaMin: number | undefined;
  private sigmaMax: number | undefined;
  private readonly phases = new Map<Phase, number>();
  private readonly durations: { observe(value: number): void };
  private readonly errors: ReadonlyMap<InternalComponent, { inc(): void }>;
  private readonly logged = new Set<InternalComponent>();

  constructor(registry: Registry, options: LossbandMetricsOptions) {
    if (typeof options.run !== 'string' || options.run.length === 0) {
      throw new TypeError(`Invalid run: ${JSON.stringify(options.run)} (expected a non-empty string)`);
    }
    this.run = options.run;
    this.log = options.log;
    const labels: Labels = { run: options.run };
    this.labels = labels;
    const registers = [registry];
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- collect() callbacks get the metric as `this`
    const self = this;

    for (const spec of EPOCH_GAUGES) {
      const { split, read } = spec;
      const children = split
        ? Object.entries(split.values).map(([value, get]) => ({ labels: { run: options.run, [split.label]: value }, get }))
        : [];
      new Gauge({
        name: spec.name,
        help: spec.help,
        labelNames: split ? ['run', split.label] : ['run'],
        registers,
        collect() {
          const e = self.last;
          if (e === undefined) return;
          try {
            for (const child of children) this.set(child.labels, child.get(e));
            const value = read?.(e);
            if (value !== undefined) this.set(labels, value);
          } catch (err) {
            // A malformed event must cost one series, not the whole scrape.
            self.fail('metrics', err);
          }
        },
      });
    }

    this.counter(registry, 'lossband_epochs_total', 'Epochs finished by this process.', () => this.epochs);
    this.counter(registry, 'lossband_epochs_in_band_total', 'Epochs whose training loss lay inside the band.', () => this.epochsInBand);
    this.counter(registry, 'lossband_loss_non_finite_total', 'Epochs whose loss or weights became NaN or +-Inf.', () => this.nonFinite);

    this.durations = new Histogram({
      name: 'lossband_epoch_duration_seconds',
      help: 'Wall time of one training epoch.',
      labelNames: ['run'],
      buckets: [...EPOCH_DURATION_BUCKETS],
      registers,
    }).labels(labels);

    const tensors = options.tensors;
    new Gauge({
      name: 'lossband_tensors',
      help: 'Tensors alive in the training backend; constant during a healthy run (a rise is a leak).',
      labelNames: ['run'],
      registers,
      collect() {
        if (tensors !== undefined) this.set(labels, tensors());
      },
    });

    new Gauge({
      name: 'lossband_noise_sigma_min',
      help: 'Lower limit the controller may set sigma to.',
      labelNames: ['run'],
      registers,
      collect() {
        if (self.sigmaMin !== undefined) this.set(labels, self.sigmaMin);
      },
    });
    new Gauge({
      name: 'lossband_noise_sigma_max',
      help: 'Upper limit the controller may set sigma to.',
      labelNames: ['run'],
      registers,
      collect() {
        if (self.sigmaMax !== undefined) this.set(labels, self.sigmaMax);
      },
    });

    const stateLabels = RUN_STATES.map((state) => ({ state, labels: { run: options.run, state } }));
    new Gauge({
      name: 'lossband_run_state',
      help: 'Run state: 1 for the current state, 0 for the others.',
      labelNames: ['run', 'state'],
      registers,
      collect() {
        for (const s of stateLabels) this.set(s.labels, s.state === self.state ? 1 : 0);
      },
    });

    new Gauge({
      name: 'lossband_run_info',
      help: 'Static facts about the run, as labels; always 1.',
      labelNames: ['run', ...RUN_INFO_LABELS],
      registers,
      collect() {
        this.reset();
        if (self.infoLabels !== undefined) this.set(self.infoLabels, 1);
      },
    });

    const phaseLabels = new Map(PHASES.map((phase) => [phase, { run: options.run, phase }]));
    new Gauge({
      name: 'lossband_phase_duration_seconds',
      help: 'Wall time each phase of the run took.',
      labelNames: ['run', 'phase'],
      registers,
      collect() {
        for (const [phase, seconds] of self.phases) this.set(phaseLabels.get(phase) ?? {}, seconds);
      },
    });

    const errors = new Counter({
      name: 'lossband_internal_errors_total',
      help: 'Failures in exporters, the server or the store; they never stop training.',
      labelNames: ['run', 'component'],
      registers,
    });
    this.errors = new Map(
      INTERNAL_COMPONENTS.map((component) => {
        const child = errors.labels({ run: options.run, component });
        child.inc(0);
        return [component, child];
      }),
    );
  }

  /**
   * Records one finished epoch. Cheap enough for every epoch: it keeps a reference to `e`
   * and bumps three numbers; the histogram is the only prom-client call.
   */
  recordEpoch(e: EpochEvent): void {
    try {
      const seconds = e.durationMs / 1000;
      this.epochs += 1;
      if (e.inBand) this.epochsInBand += 1;
      if (e.nonFinite) this.nonFinite += 1;
      this.last = e;
      if (seconds >= 0 && seconds < Infinity) this.durations.observe(seconds);
    } catch (err) {
      this.fail('metrics', err);
    }
  }

  /** Sets the run state; `lossband_run_state{state}` is 1 for it and 0 for the others. Starts as `starting`. */
  setState(state: RunState): void {
    if (!RUN_STATES.includes(state)) throw new TypeError(`Invalid run state: ${JSON.stringify(state)}`);
    this.state = state;
  }

  /** The state last set with {@link setState}. */
  getState(): RunState {
    return this.state;
  }

  /** Sets the labels of `lossband_run_info`; a later call replaces the earlier series. */
  setInfo(info: RunInfo): void {
    const labels: Labels = { run: this.run };
    for (const name of RUN_INFO_LABELS) labels[name] = String(info[name]);
    this.infoLabels = labels;
  }

  /** Sets the limits the controller clamps sigma to; the series are absent until this is called. */
  setSigmaLimits(min: number, max: number): void {
    this.sigmaMin = min;
    this.sigmaMax = max;
  }

  /** Sets how long `phase` took; a later call for the same phase replaces it. */
  observePhase(phase: Phase, seconds: number): void {
    if (!PHASES.includes(phase)) throw new TypeError(`Invalid phase: ${JSON.stringify(phase)}`);
    this.phases.set(phase, seconds);
  }

  /** Counts one failure of `component` in `lossband_internal_errors_total`. */
  countError(component: InternalComponent): void {
    this.errors.get(component)?.inc();
  }

  private fail(component: InternalComponent, err: unknown): void {
    this.countError(component);
    if (this.log !== undefined && !this.logged.has(component)) {
      this.logged.add(component);
      this.log.error({ err, component }, 'metrics update failed; counting further failures silently');
    }
  }

  private counter(registry: Registry, name: string, help: string, total: () => number): void {
    const labels = this.labels;
    let reported = 0;
    const counter = new Counter({
      name,
      help,
      labelNames: ['run'],
      registers: [registry],
      collect() {
        const now = total();
        if (now > reported) this.inc(labels, now - reported);
        reported = now;
      },
    });
    counter.inc(labels, 0);
  }
}
