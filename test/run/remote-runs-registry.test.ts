import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LossbandMetrics, registerProcessMetrics } from '../../src/metrics/index.js';
import { RemoteRunsRegistry, type MetricsJson } from '../../src/run/remote-runs-registry.js';
import { RunHost } from '../../src/run/run-host.js';
import { makeEvent } from '../metrics/make-event.js';

/** A registry with one run that recorded `epochs` epochs, as a worker thread holds it. */
function threadRegistry(run: string, epochs: number, durationMs: number): Registry {
  const registry = new Registry();
  const metrics = new LossbandMetrics(registry, { run });
  metrics.setState('running');
  for (let e = 1; e <= epochs; e++) metrics.recordEpoch(makeEvent({ run, epoch: e, loss: 0.3 + e / 100, durationMs }));
  return registry;
}

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('RemoteRunsRegistry', () => {
  it('serves the local runs, the posted runs and the process metrics, each run with its own values', async () => {
    const local = threadRegistry('a', 3, 2);
    const remote: MetricsJson[] = [
      await threadRegistry('b', 5, 20).getMetricsAsJSON(),
      await threadRegistry('c', 7, 200).getMetricsAsJSON(),
    ];
    const processRegistry = new Registry();
    registerProcessMetrics(processRegistry);
    const text = await new RemoteRunsRegistry(processRegistry, local, () => remote).metrics();

    expect(sample(text, 'lossband_epochs_total{run="a"}')).toBe(3);
    expect(sample(text, 'lossband_epochs_total{run="b"}')).toBe(5);
    expect(sample(text, 'lossband_epochs_total{run="c"}')).toBe(7);
    expect(sample(text, 'lossband_training_loss{run="c"}')).toBeCloseTo(0.37, 9);
    expect(sample(text, 'lossband_run_state{run="b",state="running"}')).toBe(1);
    // Histograms too: c's 7 epochs of 0.2 s are all in its le="0.25" bucket, none in a's or b's.
    expect(sample(text, 'lossband_epoch_duration_seconds_bucket{le="0.25",run="c"}')).toBe(7);
    expect(sample(text, 'lossband_epoch_duration_seconds_bucket{le="0.1",run="c"}')).toBe(0);
    expect(sample(text, 'lossband_epoch_duration_seconds_count{run="a"}')).toBe(3);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    // One family per name, as the exposition format requires.
    expect(text.match(/^# TYPE lossband_epochs_total /gm)).toHaveLength(1);
  });

  it('reads the posts at every render', async () => {
    let remote: MetricsJson[] = [];
    const registry = new RemoteRunsRegistry(new Registry(), new Registry(), () => remote);
    expect(await registry.metrics()).not.toContain('run="b"');
    remote = [await threadRegistry('b', 2, 1).getMetricsAsJSON()];
    expect(sample(await registry.metrics(), 'lossband_epochs_total{run="b"}')).toBe(2);
    expect((await registry.getMetricsAsJSON()).find((m) => m.name === 'lossband_epochs_total')?.values).toEqual([
      { value: 2, labels: { run: 'b' } },
    ]);
  });
});

describe('RunHost remoteRuns', () => {
  it('serves posted runs beside its own, and runMetricsJSON has the run series without process metrics', async () => {
    const worker = await RunHost.start({ port: 0 });
    worker.metricsFor('w-1').recordEpoch(makeEvent({ run: 'w-1' }));
    const posted = await worker.runMetricsJSON();
    expect(posted.some((m) => m.name.startsWith('process_'))).toBe(false);

    const main = await RunHost.start({ port: 0, remoteRuns: () => [posted] });
    main.metricsFor('m-1').recordEpoch(makeEvent({ run: 'm-1' }));
    const text = await main.registry.metrics();
    expect(sample(text, 'lossband_epochs_total{run="w-1"}')).toBe(1);
    expect(sample(text, 'lossband_epochs_total{run="m-1"}')).toBe(1);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    await Promise.all([worker.close(), main.close()]);
  });
});
