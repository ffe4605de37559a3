import { VizOrientation } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as BarGauge } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE, instantQuery, processSeries, query, rightAxis, series, tableQuery } from './panels.js';

/** Panels about training speed, validation, phases, errors, the process and alerts. */

export function throughputPanel(): TimeSeries {
  return new TimeSeries()
    .title('Epochs per second')
    .datasource(DATASOURCE)
    .withTarget(query('A', `sum by (run) (rate(${series('lossband_epochs_total')}[$__rate_interval]))`, '{{run}}'))
    .unit('suffix: epochs/s')
    .min(0)
    .height(8)
    .span(12);
}

export function durationPanel(): TimeSeries {
  const quantile = (q: number): string =>
    `histogram_quantile(${q}, sum by (run, le) (rate(${series('lossband_epoch_duration_seconds_bucket')}[$__rate_interval])))`;
  return new TimeSeries()
    .title('Epoch duration p50 / p95')
    .datasource(DATASOURCE)
    .withTarget(query('A', quantile(0.5), '{{run}} p50'))
    .withTarget(query('B', quantile(0.95), '{{run}} p95'))
    .unit('s')
    .min(0)
    .height(8)
    .span(12);
}

export function validationPanel(): TimeSeries {
  return new TimeSeries()
    .title('Validation loss and accuracy')
    .description('Held-out loss (left) and accuracy (right), measured without noise after each epoch.')
    .datasource(DATASOURCE)
    .withTarget(query('A', series('lossband_validation_loss'), '{{run}} val loss'))
    .withTarget(query('B', series('lossband_validation_accuracy_ratio'), '{{run}} val accuracy'))
    .overrideByQuery('B', [...rightAxis('percentunit'), { id: 'min', value: 0 }, { id: 'max', value: 1 }])
    .unit('none')
    .height(8)
    .span(12);
}

export function phasePanel(): BarGauge {
  return new BarGauge()
    .title('Phase durations')
    .datasource(DATASOURCE)
    .withTarget(instantQuery('A', series('lossband_phase_duration_seconds'), '{{run}} {{phase}}'))
    .orientation(VizOrientation.Horizontal)
    .unit('s')
    .min(0)
    .height(8)
    .span(8);
}

export function healthPanel(): TimeSeries {
  return new TimeSeries()
    .title('Non-finite epochs and internal errors')
    .description('Errors in exporters, the server or the store are counted here; they never stop training.')
    .datasource(DATASOURCE)
    .withTarget(
      query(
        'A',
        `sum by (run) (increase(${series('lossband_loss_non_finite_total')}[$__rate_interval]))`,
        '{{run}} non-finite',
      ),
    )
    .withTarget(
      query(
        'B',
        `sum by (run, component) (increase(${series('lossband_internal_errors_total')}[$__rate_interval]))`,
        '{{run}} {{component}} errors',
      ),
    )
    .unit('short')
    .min(0)
    .height(8)
    .span(8);
}

export function processPanel(): TimeSeries {
  return new TimeSeries()
    .title('Process memory and CPU')
    .datasource(DATASOURCE)
    .withTarget(query('A', processSeries('process_resident_memory_bytes'), '{{instance}} RSS'))
    .withTarget(query('B', `rate(${processSeries('process_cpu_seconds_total')}[$__rate_interval])`, '{{instance}} CPU'))
    .overrideByQuery('B', rightAxis('percentunit'))
    .unit('bytes')
    .height(8)
    .span(8);
}

export function tablePanel(title: string, expr: string): Table {
  return new Table()
    .title(title)
    .datasource(DATASOURCE)
    .withTarget(tableQuery('A', expr))
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true } } })
    .height(8)
    .span(12);
}
