import { parser } from '@prometheus-io/lezer-promql';
import { Registry, type MetricValueWithName } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LossbandMetrics } from '../../src/metrics/lossband-metrics.js';
import { SERIES_NAMES } from '../../src/metrics/metric-names.js';
import { registerProcessMetrics } from '../../src/metrics/process-metrics.js';
import { makeEvent } from '../metrics/make-event.js';
import {
  dashboardExpressions,
  loadDashboard,
  recordedNames,
  ruleExpressions,
  substituteIntervals,
  type PromqlSource,
} from './promql-sources.js';

/** Series Prometheus itself creates, which dashboards and rules may use. */
const BUILTINS = ['up', 'ALERTS', 'ALERTS_FOR_STATE', 'scrape_duration_seconds', 'scrape_samples_scraped'];
/** Labels Prometheus adds: target labels, histogram buckets and alert series. */
const BUILTIN_LABELS = ['job', 'instance', 'le', 'alertname', 'alertstate', 'severity'];

interface Parsed {
  errors: string[];
  metrics: string[];
  labels: string[];
}

function analyse(expr: string): Parsed {
  const tree = parser.parse(expr);
  const out: Parsed = { errors: [], metrics: [], labels: [] };
  tree.iterate({
    enter(node) {
      if (node.type.isError)
        out.errors.push(`error at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id !== null) out.metrics.push(expr.slice(id.from, id.to));
      }
      if (node.name === 'LabelName') out.labels.push(expr.slice(node.from, node.to));
    },
  });
  return out;
}

let known: Promise<{ names: Set<string>; labels: Set<string> }> | undefined;

/** Names and labels a real registry exposes; computed once (process metrics start timers). */
function exportedNamesAndLabels(): Promise<{ names: Set<string>; labels: Set<string> }> {
  return (known ??= collectKnown());
}

async function collectKnown(): Promise<{ names: Set<string>; labels: Set<string> }> {
  const registry = new Registry();
  const metrics = new LossbandMetrics(registry, { run: 'r' });
  registerProcessMetrics(registry);
  metrics.recordEpoch(makeEvent({ cleanLoss: 0.3 }));
  metrics.setSigmaLimits(0, 1);
  metrics.observePhase('setup', 1);
  metrics.setInfo({ model_name: 'm', architecture: 'a', parameters: 1, dataset: 'd', backend: 'b', controller: 'c' });
  const names = new Set<string>([...SERIES_NAMES, ...BUILTINS, ...recordedNames()]);
  const labels = new Set<string>(BUILTIN_LABELS);
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    for (const v of metric.values as MetricValueWithName<string>[]) {
      if (v.metricName !== undefined) names.add(v.metricName);
      for (const label of Object.keys(v.labels)) labels.add(label);
    }
  }
  return { names, labels };
}

const sources: PromqlSource[] = [...dashboardExpressions(loadDashboard()), ...ruleExpressions()];

describe('PromQL in the dashboard and the alert rules', () => {
  it('finds the expressions', () => {
    expect(sources.length).toBeGreaterThan(20);
    expect(sources.some((s) => s.expr.includes('ALERTS{alertname=~"Lossband.*"}'))).toBe(true);
  });

  it.each(sources.map((s) => [s.where, s.expr]))('%s parses without error nodes', (_where, expr) => {
    expect(analyse(substituteIntervals(expr)).errors).toEqual([]);
  });

  it.each(sources.map((s) => [s.where, s.expr]))(
    '%s references only exported metrics and labels',
    async (_where, expr) => {
      const { names, labels } = await exportedNamesAndLabels();
      const parsed = analyse(substituteIntervals(expr));
      expect(parsed.metrics.length).toBeGreaterThan(0);
      for (const metric of parsed.metrics) expect(names, `unknown metric ${metric}`).toContain(metric);
      for (const label of parsed.labels) expect(labels, `unknown label ${label}`).toContain(label);
    },
  );

  it('detects a broken expression and an unknown metric (the checks themselves work)', async () => {
    expect(analyse('sum(rate(lossband_epochs_total[5m])').errors).not.toEqual([]);
    const { names } = await exportedNamesAndLabels();
    expect(names).not.toContain(analyse('lossband_epochs_totl').metrics[0]);
  });
});
