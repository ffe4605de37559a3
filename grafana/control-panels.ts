import { BigValueColorMode, BigValueGraphMode, BigValueTextMode } from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as Stat } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE, instantQuery, query, referenceLine, rightAxis, series } from './panels.js';

/** Panels of the control loop: loss against its band, the σ actuator, controller terms and current-value stats. */

export function lossPanel(): TimeSeries {
  return new TimeSeries()
    .title('Loss and band')
    .description(
      'Raw training loss (noisy inputs), the smoothed loss the controller holds, and the band edges (dashed).',
    )
    .datasource(DATASOURCE)
    .withTarget(query('A', series('lossband_training_loss'), '{{run}} loss'))
    .withTarget(query('B', series('lossband_smoothed_loss'), '{{run}} smoothed'))
    .withTarget(query('C', series('lossband_band_lower'), '{{run}} band lower'))
    .withTarget(query('D', series('lossband_band_upper'), '{{run}} band upper'))
    .withTarget(query('E', series('lossband_clean_loss'), '{{run}} clean loss'))
    .overrideByQuery('C', referenceLine('red'))
    .overrideByQuery('D', referenceLine('red'))
    .overrideByQuery('B', [{ id: 'custom.lineWidth', value: 2 }])
    .unit('none')
    .height(9)
    .span(12);
}

export function sigmaPanel(): TimeSeries {
  return new TimeSeries()
    .title('Noise σ, limits and draws')
    .description(
      'The actuator: input-noise std the controller sets, the limits it is clamped to (dashed), and noisy copies per sample (right axis).',
    )
    .datasource(DATASOURCE)
    .withTarget(query('A', series('lossband_noise_sigma'), '{{run}} σ'))
    .withTarget(query('B', series('lossband_noise_sigma_min'), '{{run}} σ min'))
    .withTarget(query('C', series('lossband_noise_sigma_max'), '{{run}} σ max'))
    .withTarget(query('D', series('lossband_noise_draws'), '{{run}} draws'))
    .overrideByQuery('B', referenceLine('orange'))
    .overrideByQuery('C', referenceLine('orange'))
    .overrideByQuery('D', rightAxis('none'))
    .unit('none')
    .height(9)
    .span(12);
}

export function controllerPanel(): TimeSeries {
  return new TimeSeries()
    .title('Controller terms and error')
    .description('P, I and D contributions of each controller step and the normalised error they act on.')
    .datasource(DATASOURCE)
    .withTarget(query('A', series('lossband_controller_term'), '{{run}} {{term}}'))
    .withTarget(query('B', series('lossband_controller_error'), '{{run}} error'))
    .overrideByQuery('B', [{ id: 'custom.lineWidth', value: 2 }])
    .unit('none')
    .height(8)
    .span(12);
}

export function inBandPanel(): Stat {
  const inBand = `sum by (run) (increase(${series('lossband_epochs_in_band_total')}[$__range]))`;
  const all = `sum by (run) (increase(${series('lossband_epochs_total')}[$__range]))`;
  return new Stat()
    .title('In band over the range')
    .description('Share of the epochs finished in the selected time range whose training loss lay inside the band.')
    .datasource(DATASOURCE)
    .withTarget(instantQuery('A', `${inBand} / ${all}`, '{{run}}'))
    .unit('percentunit')
    .min(0)
    .max(1)
    .decimals(1)
    .thresholds(
      new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
        { value: null, color: 'red' },
        { value: 0.5, color: 'orange' },
        { value: 0.8, color: 'green' },
      ]),
    )
    .colorMode(BigValueColorMode.Background)
    .graphMode(BigValueGraphMode.None)
    .height(4)
    .span(4);
}

export function statePanel(): Stat {
  return new Stat()
    .title('Run state')
    .datasource(DATASOURCE)
    .withTarget(instantQuery('A', `${series('lossband_run_state')} == 1`, '{{run}}: {{state}}'))
    .textMode(BigValueTextMode.Name)
    .colorMode(BigValueColorMode.None)
    .graphMode(BigValueGraphMode.None)
    .height(4)
    .span(4);
}

export function firingPanel(): Stat {
  return new Stat()
    .title('Firing lossband alerts')
    .datasource(DATASOURCE)
    .withTarget(instantQuery('A', 'count(ALERTS{alertname=~"Lossband.*", alertstate="firing"}) or vector(0)', 'firing'))
    .thresholds(
      new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
        { value: null, color: 'green' },
        { value: 1, color: 'red' },
      ]),
    )
    .colorMode(BigValueColorMode.Background)
    .graphMode(BigValueGraphMode.None)
    .height(4)
    .span(4);
}

/** A small current-value stat without sparkline. */
export function valueStat(title: string, expr: string, unit: string): Stat {
  return new Stat()
    .title(title)
    .datasource(DATASOURCE)
    .withTarget(instantQuery('A', expr, '{{run}}'))
    .unit(unit)
    .colorMode(BigValueColorMode.None)
    .graphMode(BigValueGraphMode.None)
    .height(4)
    .span(4);
}
