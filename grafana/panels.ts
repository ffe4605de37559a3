import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import type { DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';

/** Every panel queries the data source the `datasource` variable picks. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** Matchers for the job, instance and run variables. */
const RUN_MATCHERS = 'job=~"$job", instance=~"$instance", run=~"$run"';

/**
 * A lossband series filtered by the dashboard variables, with optional extra matchers.
 *
 * @example
 * series('lossband_controller_term', 'term="p"');
 * // lossband_controller_term{job=~"$job", instance=~"$instance", run=~"$run", term="p"}
 */
export function series(name: string, extra?: string): string {
  return `${name}{${RUN_MATCHERS}${extra === undefined ? '' : `, ${extra}`}}`;
}

/** A process-level series: it has no `run` label, so only job and instance filter it. */
export function processSeries(name: string): string {
  return `${name}{job=~"$job", instance=~"$instance"}`;
}

/** A range query with a legend. */
export function query(refId: string, expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder().refId(refId).expr(expr).legendFormat(legend).range();
}

/** An instant query rendered as a table (one row per series). */
export function tableQuery(refId: string, expr: string): DataqueryBuilder {
  return new DataqueryBuilder().refId(refId).expr(expr).instant().format(PromQueryFormat.Table);
}

/** An instant query, for stats and gauges showing the current value. */
export function instantQuery(refId: string, expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder().refId(refId).expr(expr).legendFormat(legend).instant();
}

/** Field overrides that draw a series as a dashed reference line (band edges, sigma limits). */
export function referenceLine(color: string): DynamicConfigValue[] {
  return [
    { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
    { id: 'custom.fillOpacity', value: 0 },
    { id: 'color', value: { mode: 'fixed', fixedColor: color } },
  ];
}

/** Field overrides that move a series to the right-hand axis with its own unit. */
export function rightAxis(unit: string): DynamicConfigValue[] {
  return [
    { id: 'custom.axisPlacement', value: 'right' },
    { id: 'unit', value: unit },
  ];
}
