import {
  LegendDisplayMode,
  LegendPlacement,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE, query, series, tableQuery } from './panels.js';

/** Panels comparing the runs of a sweep (or any runs the `run` variable selects). */

/**
 * One value per run keyed by exactly job, instance and run. Grafana's merge transformation
 * joins table rows on the fields every query has and refuses to join rows that disagree on
 * any shared field, so no query may bring its own `__name__`.
 */
const perRun = (expr: string): string => `max by (job, instance, run) (${expr})`;

/**
 * The columns of the sweep overview: refId, header and instant expression. The state query
 * keeps its `state` label (the column); its value, always 1, is hidden.
 */
const OVERVIEW_COLUMNS = [
  {
    refId: 'A',
    header: 'State',
    expr: `max by (job, instance, run, state) (${series('lossband_run_state')} == 1)`,
  },
  { refId: 'B', header: 'Epoch', expr: perRun(series('lossband_epoch')) },
  {
    refId: 'C',
    header: 'In band',
    expr: `${perRun(series('lossband_epochs_in_band_total'))} / ${perRun(series('lossband_epochs_total'))}`,
  },
  { refId: 'D', header: 'σ', expr: perRun(series('lossband_noise_sigma')) },
  { refId: 'E', header: 'Loss', expr: perRun(series('lossband_training_loss')) },
  { refId: 'F', header: 'Smoothed loss', expr: perRun(series('lossband_smoothed_loss')) },
  { refId: 'G', header: 'Band lower', expr: perRun(series('lossband_band_lower')) },
  { refId: 'H', header: 'Band upper', expr: perRun(series('lossband_band_upper')) },
] as const;

/**
 * The sweep overview: one row per selected run with its state, epoch, in-band share since the
 * run's process started, σ, last and smoothed loss and band. A finished run keeps its final
 * values for the retire grace period (60 s by default), then leaves the table.
 */
export function sweepOverviewPanel(): Table {
  const value = (refId: string): string => `Value #${refId}`;
  const table = new Table()
    .title('Sweep overview')
    .description(
      'One row per selected run: state, epoch, share of epochs in band since the process started, σ, the last training loss and its smoothed value, and the band. Sort by a column to rank the runs.',
    )
    .datasource(DATASOURCE);
  for (const c of OVERVIEW_COLUMNS) table.withTarget(tableQuery(c.refId, c.expr));
  table.withTransformation({ id: 'merge', options: {} }).withTransformation({
    id: 'organize',
    options: {
      excludeByName: { Time: true, job: true, [value('A')]: true },
      indexByName: Object.fromEntries(
        ['run', 'state', 'instance', ...OVERVIEW_COLUMNS.slice(1).map((c) => value(c.refId))].map((n, i) => [n, i]),
      ),
      renameByName: {
        run: 'Run',
        state: 'State',
        instance: 'Instance',
        ...Object.fromEntries(OVERVIEW_COLUMNS.slice(1).map((c) => [value(c.refId), c.header])),
      },
    },
  });
  return table
    .unit('none')
    .overrideByName('In band', [
      { id: 'unit', value: 'percentunit' },
      { id: 'decimals', value: 1 },
      { id: 'min', value: 0 },
      { id: 'max', value: 1 },
      { id: 'color', value: { mode: 'thresholds' } },
      { id: 'custom.cellOptions', value: { type: 'color-background', mode: 'gradient' } },
      {
        id: 'thresholds',
        value: {
          mode: 'absolute',
          steps: [
            { value: null, color: 'red' },
            { value: 0.5, color: 'orange' },
            { value: 0.8, color: 'green' },
          ],
        },
      },
    ])
    .height(9)
    .span(24);
}

/** The smoothed loss of every selected run on one axis: one series per run, the legend a table of last values. */
export function lossOverlayPanel(): TimeSeries {
  return new TimeSeries()
    .title('Smoothed loss by run')
    .description(
      'The smoothed training loss (what each controller holds) of every selected run overlaid, one series per run.',
    )
    .datasource(DATASOURCE)
    .withTarget(query('A', series('lossband_smoothed_loss'), '{{run}}'))
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Right)
        .calcs(['lastNotNull', 'min', 'max'])
        .sortBy('Last *')
        .sortDesc(true),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .unit('none')
    .height(9)
    .span(24);
}
