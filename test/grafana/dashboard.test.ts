import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDashboard, DASHBOARD_PATH, DASHBOARD_UID, renderDashboard } from '../../grafana/build-dashboard.js';

interface Panel {
  type: string;
  title?: string;
  targets?: Array<{
    expr?: string;
    refId?: string;
    instant?: boolean;
    range?: boolean;
    format?: string;
    legendFormat?: string;
  }>;
  transformations?: Array<{ id: string; options: Record<string, Record<string, unknown>> }>;
  datasource?: { type?: string; uid?: string };
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}

const dashboard = buildDashboard() as unknown as {
  uid: string;
  panels: Panel[];
  templating: { list: Variable[] };
  annotations: { list: Array<{ expr?: string }> };
};
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = (title: string): string[] =>
  panels.find((p) => p.title === title)?.targets?.map((t) => t.expr ?? '') ?? [];

describe('grafana/dashboards/lossband.json', () => {
  it('is up to date with grafana/build-dashboard.ts (run `npm run dashboard`)', () => {
    expect(readFileSync(DASHBOARD_PATH, 'utf8')).toBe(renderDashboard());
  });

  it('renders byte-identically twice', () => {
    expect(renderDashboard()).toBe(renderDashboard());
  });

  it('has the fixed uid', () => {
    expect(dashboard.uid).toBe(DASHBOARD_UID);
    expect(DASHBOARD_UID).toBe('lossband');
  });

  it('has the datasource, job, instance and run variables', () => {
    const vars = dashboard.templating.list;
    expect(vars.map((v) => v.name)).toEqual(['datasource', 'job', 'instance', 'run']);
    expect(vars[0]).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const v of vars.slice(1)) expect(v.type).toBe('query');
  });

  it('lets the run variable select several runs or all of them', () => {
    const run = dashboard.templating.list.find((v) => v.name === 'run');
    expect(run).toMatchObject({ multi: true, includeAll: true, allValue: '.*' });
  });

  it('has a sweep overview table: instant table queries merged into one row per run and organized', () => {
    const table = panels.find((p) => p.title === 'Sweep overview');
    expect(table?.type).toBe('table');
    const targets = table?.targets ?? [];
    for (const t of targets) expect(t, t.refId).toMatchObject({ instant: true, range: false, format: 'table' });
    const joined = targets.map((t) => t.expr).join('\n');
    for (const needle of [
      'lossband_run_state{',
      'lossband_epochs_in_band_total{',
      'lossband_noise_sigma{',
      'lossband_training_loss{',
    ])
      expect(joined).toContain(needle);
    // Grafana's merge joins rows on the fields all queries share and keeps rows apart that
    // disagree on one, so every query is keyed by job, instance and run and brings no __name__.
    for (const t of targets) expect(t.expr, t.refId).toMatch(/^max by \(job, instance, run(, state)?\) \(/);
    expect(table?.transformations?.map((x) => x.id)).toEqual(['merge', 'organize']);
    const organize = table?.transformations?.[1]?.options ?? {};
    const valueColumns = targets.map((t) => `Value #${t.refId}`);
    const shown = Object.keys(organize.renameByName ?? {}).filter((k) => k.startsWith('Value #'));
    const hidden = Object.keys(organize.excludeByName ?? {}).filter((k) => k.startsWith('Value #'));
    // Every query's value column is named or hidden, and no name points at a query that is not there.
    expect([...shown, ...hidden].sort()).toEqual([...valueColumns].sort());
    expect(Object.keys(organize.renameByName ?? {})).toEqual(expect.arrayContaining(['run', 'state']));
    expect(organize.excludeByName).toMatchObject({ Time: true });
  });

  it('overlays the smoothed loss of the selected runs, one series per run', () => {
    const overlay = panels.find((p) => p.title === 'Smoothed loss by run');
    expect(overlay?.type).toBe('timeseries');
    expect(overlay?.targets).toHaveLength(1);
    expect(overlay?.targets?.[0]).toMatchObject({ range: true, legendFormat: '{{run}}' });
    expect(overlay?.targets?.[0]?.expr).toMatch(/^lossband_smoothed_loss\{[^}]*run=~"\$run"[^}]*\}$/);
  });

  it('queries the datasource variable from every panel', () => {
    for (const p of panels) expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  it('has the required panels', () => {
    const has = (title: string, ...needles: string[]): void => {
      const joined = exprs(title).join('\n');
      expect(joined, `panel "${title}"`).not.toBe('');
      for (const needle of needles) expect(joined, `panel "${title}" uses ${needle}`).toContain(needle);
    };
    has(
      'Loss and band',
      'lossband_training_loss{',
      'lossband_smoothed_loss{',
      'lossband_band_lower{',
      'lossband_band_upper{',
    );
    has(
      'Noise σ, limits and draws',
      'lossband_noise_sigma{',
      'lossband_noise_sigma_min{',
      'lossband_noise_sigma_max{',
      'lossband_noise_draws{',
    );
    has('Controller terms and error', 'lossband_controller_term{', 'lossband_controller_error{');
    has('In band over the range', 'lossband_epochs_in_band_total', '[$__range]');
    has('Epochs per second', 'rate(lossband_epochs_total');
    has(
      'Epoch duration p50 / p95',
      'histogram_quantile(0.5,',
      'histogram_quantile(0.95,',
      'lossband_epoch_duration_seconds_bucket',
    );
    has('Validation loss and accuracy', 'lossband_validation_loss{', 'lossband_validation_accuracy_ratio{');
    has('Phase durations', 'lossband_phase_duration_seconds{');
    has('Firing and pending lossband alerts', 'ALERTS{alertname=~"Lossband.*"}');
  });

  it('filters every lossband series by job, instance and run', () => {
    for (const p of panels) {
      for (const expr of p.targets?.map((t) => t.expr ?? '') ?? []) {
        for (const m of expr.matchAll(/(lossband_[a-z_]+)\{([^}]*)\}/g)) {
          expect(m[2], `${p.title}: ${m[1]}`).toContain('job=~"$job", instance=~"$instance", run=~"$run"');
        }
      }
    }
  });

  it('marks firing lossband alerts as annotations', () => {
    expect(dashboard.annotations.list.map((a) => a.expr)).toContain(
      'ALERTS{alertname=~"Lossband.*", alertstate="firing"}',
    );
  });
});
