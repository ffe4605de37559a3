import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerProcessMetrics } from '../../src/metrics/process-metrics.js';

describe('registerProcessMetrics', () => {
  it('registers process and Node.js metrics on the given registry only', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry, { labels: { run: 'r1' } });
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toMatch(/process_resident_memory_bytes\{run="r1"\}|nodejs_heap_size_used_bytes\{run="r1"\}/);
    expect(await new Registry().metrics()).toBe('\n');
  });

  it('leaves out the gauges named like counters, which promtool rejects', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry);
    const text = await registry.metrics();
    expect(text).not.toMatch(/^# TYPE nodejs_active_\w+_total gauge$/m);
    expect(text).toContain('# TYPE nodejs_active_handles gauge');
  });
});
