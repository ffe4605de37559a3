import { Registry, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LossbandMetrics } from '../../src/metrics/lossband-metrics.js';
import { METRIC_NAMES } from '../../src/metrics/metric-names.js';
import { makeEvent } from './make-event.js';

type Metric = MetricObjectWithValues<MetricValueWithName<string>>;

async function snapshot(registry: Registry): Promise<Map<string, Metric>> {
  const all = (await registry.getMetricsAsJSON()) as Metric[];
  return new Map(all.map((m) => [m.name, m]));
}

function value(metric: Metric | undefined, labels: Record<string, string> = {}): number | undefined {
  return metric?.values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))?.value;
}

function setUp(run = 'r1'): { registry: Registry; metrics: LossbandMetrics } {
  const registry = new Registry();
  return { registry, metrics: new LossbandMetrics(registry, { run }) };
}

describe('LossbandMetrics', () => {
  it('registers exactly the names in METRIC_NAMES, on the registry passed in only', async () => {
    const { registry } = setUp();
    expect(
      registry
        .getMetricsAsArray()
        .map((m) => (m as unknown as { name: string }).name)
        .sort(),
    ).toEqual([...METRIC_NAMES].sort());
    const other = new Registry();
    expect(other.getMetricsAsArray()).toHaveLength(0);
    // A second group on its own registry does not clash with the first.
    expect(() => setUp('r2')).not.toThrow();
  });

  it('exports the band verdict as one 1 among the statuses, following the last event', async () => {
    const { registry, metrics } = setUp();
    metrics.recordEpoch(makeEvent({ bandStatus: 'held' }));
    let m = await snapshot(registry);
    const status = (s: string): number | undefined => value(m.get('lossband_band_status'), { run: 'r1', status: s });
    expect([status('held'), status('not-held'), status('unreachable-above'), status('unreachable-below')]).toEqual([
      1, 0, 0, 0,
    ]);
    metrics.recordEpoch(makeEvent({ epoch: 2, bandStatus: 'unreachable-above' }));
    m = await snapshot(registry);
    expect([status('held'), status('not-held'), status('unreachable-above'), status('unreachable-below')]).toEqual([
      0, 0, 1, 0,
    ]);
  });

  it('exposes every epoch value with the run label after recordEpoch', async () => {
    const { registry, metrics } = setUp();
    metrics.recordEpoch(
      makeEvent({ epoch: 7, loss: 0.35, cleanLoss: 0.3, durationMs: 3, timestamp: 1_700_000_001_500 }),
    );
    const m = await snapshot(registry);
    const run = { run: 'r1' };
    expect(value(m.get('lossband_training_loss'), run)).toBe(0.35);
    expect(value(m.get('lossband_clean_loss'), run)).toBe(0.3);
    expect(value(m.get('lossband_smoothed_loss'), run)).toBe(0.36);
    expect(value(m.get('lossband_validation_loss'), run)).toBe(0.4);
    expect(value(m.get('lossband_validation_accuracy_ratio'), run)).toBe(0.9);
    expect(value(m.get('lossband_band_lower'), run)).toBe(0.3);
    expect(value(m.get('lossband_band_upper'), run)).toBe(0.4);
    expect(value(m.get('lossband_noise_sigma'), run)).toBe(0.2);
    expect(value(m.get('lossband_noise_draws'), run)).toBe(1);
    expect(value(m.get('lossband_controller_error'), run)).toBe(0.05);
    expect(value(m.get('lossband_controller_term'), { run: 'r1', term: 'p' })).toBe(0.1);
    expect(value(m.get('lossband_controller_term'), { run: 'r1', term: 'i' })).toBe(0.02);
    expect(value(m.get('lossband_controller_term'), { run: 'r1', term: 'd' })).toBe(-0.01);
    expect(value(m.get('lossband_in_band'), run)).toBe(1);
    expect(value(m.get('lossband_epoch'), run)).toBe(7);
    expect(value(m.get('lossband_epochs_total'), run)).toBe(1);
    expect(value(m.get('lossband_epochs_in_band_total'), run)).toBe(1);
    expect(value(m.get('lossband_loss_non_finite_total'), run)).toBe(0);
    expect(value(m.get('lossband_last_epoch_timestamp_seconds'), run)).toBe(1_700_000_001.5);
    const hist = m.get('lossband_epoch_duration_seconds');
    expect(hist?.type).toBe('histogram');
    expect(hist?.values.find((v) => v.metricName === 'lossband_epoch_duration_seconds_count')?.value).toBe(1);
    expect(
      hist?.values.find((v) => v.metricName === 'lossband_epoch_duration_seconds_bucket' && v.labels.le === 0.005)
        ?.value,
    ).toBe(1);
    expect(
      hist?.values.find((v) => v.metricName === 'lossband_epoch_duration_seconds_bucket' && v.labels.le === 0.0025)
        ?.value,
    ).toBe(0);
    for (const metric of m.values()) {
      for (const v of metric.values) expect(v.labels.run, `${metric.name} has the run label`).toBe('r1');
    }
  });

  it('uses the metric types the names promise', async () => {
    const { registry } = setUp();
    const m = await snapshot(registry);
    for (const [name, metric] of m) {
      if (name.endsWith('_total')) expect(metric.type, name).toBe('counter');
      else if (name === 'lossband_epoch_duration_seconds') expect(metric.type, name).toBe('histogram');
      else expect(metric.type, name).toBe('gauge');
    }
  });

  it('counts epochs, in-band epochs and non-finite epochs across scrapes', async () => {
    const { registry, metrics } = setUp();
    metrics.recordEpoch(makeEvent({ inBand: true }));
    await snapshot(registry);
    metrics.recordEpoch(makeEvent({ inBand: false, loss: 0.5 }));
    metrics.recordEpoch(makeEvent({ inBand: false, loss: Number.NaN, nonFinite: true, durationMs: Number.NaN }));
    const m = await snapshot(registry);
    expect(value(m.get('lossband_epochs_total'))).toBe(3);
    expect(value(m.get('lossband_epochs_in_band_total'))).toBe(1);
    expect(value(m.get('lossband_loss_non_finite_total'))).toBe(1);
    expect(value(m.get('lossband_in_band'))).toBe(0);
    expect(value(m.get('lossband_training_loss'))).toBeNaN();
    // A NaN duration is skipped rather than thrown into the training loop.
    expect(m.get('lossband_epoch_duration_seconds')?.values.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(
      2,
    );
    expect(value(m.get('lossband_internal_errors_total'), { component: 'metrics' })).toBe(0);
  });

  it('writes NaN and infinities in the text format Prometheus parses', async () => {
    const { registry, metrics } = setUp();
    metrics.recordEpoch(makeEvent({ loss: Number.POSITIVE_INFINITY, smoothedLoss: Number.NaN }));
    const text = await registry.metrics();
    expect(text).toContain('lossband_training_loss{run="r1"} +Inf');
    expect(text).toMatch(/lossband_smoothed_loss\{run="r1"\} nan/i);
  });

  it('leaves epoch gauges and the clean loss out until there is something to report', async () => {
    const { registry, metrics } = setUp();
    let m = await snapshot(registry);
    expect(m.get('lossband_training_loss')?.values).toEqual([]);
    expect(value(m.get('lossband_epochs_total'))).toBe(0);
    metrics.recordEpoch(makeEvent());
    m = await snapshot(registry);
    expect(m.get('lossband_clean_loss')?.values).toEqual([]);
  });

  it('sets one run state to 1 and the others to 0', async () => {
    const { registry, metrics } = setUp();
    let m = await snapshot(registry);
    expect(value(m.get('lossband_run_state'), { state: 'starting' })).toBe(1);
    metrics.setState('running');
    m = await snapshot(registry);
    const states = m.get('lossband_run_state')?.values ?? [];
    expect(states).toHaveLength(6);
    expect(states.filter((v) => v.value === 1).map((v) => v.labels.state)).toEqual(['running']);
    expect(metrics.getState()).toBe('running');
    expect(() => metrics.setState('flying' as never)).toThrow('Invalid run state: "flying"');
  });

  it('replaces the run info series on setInfo', async () => {
    const { registry, metrics } = setUp();
    const info = {
      model_name: 'mlp',
      architecture: '4-16-3',
      parameters: 131,
      dataset: 'iris',
      backend: 'cpu',
      controller: 'pid',
    };
    metrics.setInfo(info);
    metrics.setInfo({ ...info, controller: 'bangbang' });
    const values = (await snapshot(registry)).get('lossband_run_info')?.values ?? [];
    expect(values).toHaveLength(1);
    expect(values[0]?.value).toBe(1);
    expect(values[0]?.labels).toEqual({ run: 'r1', ...info, parameters: '131', controller: 'bangbang' });
  });

  it('exports sigma limits and phase durations once known', async () => {
    const { registry, metrics } = setUp();
    let m = await snapshot(registry);
    expect(m.get('lossband_noise_sigma_min')?.values).toEqual([]);
    metrics.setSigmaLimits(0, 1.5);
    metrics.observePhase('data_load', 0.25);
    metrics.observePhase('training', 12);
    m = await snapshot(registry);
    expect(value(m.get('lossband_noise_sigma_min'))).toBe(0);
    expect(value(m.get('lossband_noise_sigma_max'))).toBe(1.5);
    expect(value(m.get('lossband_phase_duration_seconds'), { phase: 'data_load' })).toBe(0.25);
    expect(value(m.get('lossband_phase_duration_seconds'), { phase: 'training' })).toBe(12);
    expect(() => metrics.observePhase('nap' as never, 1)).toThrow('Invalid phase: "nap"');
  });

  it('starts every internal error series at 0 and counts by component', async () => {
    const { registry, metrics } = setUp();
    metrics.countError('server');
    metrics.countError('server');
    const m = await snapshot(registry);
    expect(value(m.get('lossband_internal_errors_total'), { component: 'server' })).toBe(2);
    expect(value(m.get('lossband_internal_errors_total'), { component: 'store' })).toBe(0);
  });

  it('rejects an empty run name, naming it', () => {
    expect(() => new LossbandMetrics(new Registry(), { run: '' })).toThrow('Invalid run: ""');
  });

  it('does not throw into the training loop when an event is malformed', async () => {
    const { registry, metrics } = setUp();
    expect(() => metrics.recordEpoch(null as never)).not.toThrow();
    const m = await snapshot(registry);
    expect(value(m.get('lossband_internal_errors_total'), { component: 'metrics' })).toBe(1);
  });

  it('keeps serving the other series when a stored event lacks a field', async () => {
    const { registry, metrics } = setUp();
    metrics.recordEpoch({ ...makeEvent(), terms: undefined } as never);
    const text = await registry.metrics();
    expect(text).toContain('lossband_training_loss{run="r1"} 0.35');
    expect(text).not.toContain('lossband_controller_term{');
    expect(text).toMatch(/lossband_internal_errors_total\{run="r1",component="metrics"\} [1-9]/);
  });
});

describe('LossbandMetrics, many runs on one registry', () => {
  afterEach(() => vi.useRealTimers());

  it('shares one metric per name, with a child series per run', async () => {
    const registry = new Registry();
    const a = new LossbandMetrics(registry, { run: 'a' });
    const b = new LossbandMetrics(registry, { run: 'b' });
    a.recordEpoch(makeEvent({ epoch: 3, loss: 0.31 }));
    b.recordEpoch(makeEvent({ epoch: 9, loss: 0.52 }));
    b.recordEpoch(makeEvent({ epoch: 10, loss: 0.5 }));
    b.setState('finished');
    const m = await snapshot(registry);
    expect(value(m.get('lossband_training_loss'), { run: 'a' })).toBe(0.31);
    expect(value(m.get('lossband_training_loss'), { run: 'b' })).toBe(0.5);
    expect(value(m.get('lossband_epochs_total'), { run: 'a' })).toBe(1);
    expect(value(m.get('lossband_epochs_total'), { run: 'b' })).toBe(2);
    expect(value(m.get('lossband_run_state'), { run: 'a', state: 'starting' })).toBe(1);
    expect(value(m.get('lossband_run_state'), { run: 'b', state: 'finished' })).toBe(1);
    expect(registry.getMetricsAsArray()).toHaveLength(METRIC_NAMES.length);
  });

  it('refuses a second handle for the same run name', () => {
    const registry = new Registry();
    new LossbandMetrics(registry, { run: 'a' });
    expect(() => new LossbandMetrics(registry, { run: 'a' })).toThrow(/"a" is already exported/);
  });

  it('keeps a retired run for the grace period, then removes every series of it and only it', async () => {
    vi.useFakeTimers();
    const registry = new Registry();
    const a = new LossbandMetrics(registry, { run: 'a' });
    const b = new LossbandMetrics(registry, { run: 'b' });
    for (const m of [a, b]) m.recordEpoch(makeEvent({ epoch: 1, durationMs: 2 }));
    a.countError('store');
    a.setState('finished');
    a.retire(30_000);
    vi.advanceTimersByTime(29_999);
    expect(value((await snapshot(registry)).get('lossband_run_state'), { run: 'a', state: 'finished' })).toBe(1);
    vi.advanceTimersByTime(1);
    const text = await registry.metrics();
    expect(text).not.toMatch(/run="a"/);
    expect(text).toMatch(/lossband_epoch_duration_seconds_count\{run="b"\} 1/);
    expect(text).toMatch(/lossband_epochs_total\{run="b"\} 1/);
    // The name is free again, e.g. for the same run resumed in this process.
    expect(() => new LossbandMetrics(registry, { run: 'a' })).not.toThrow();
  });
});
