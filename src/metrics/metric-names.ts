/**
 * Every metric name a {@link LossbandMetrics} group exposes, in exposition order.
 *
 * Dashboards and alert rules may only reference these (plus Prometheus builtins and the
 * process metrics); `test/prometheus/promql.test.ts` checks that against this list.
 *
 * @example
 * METRIC_NAMES.includes('lossband_training_loss'); // true
 */
export const METRIC_NAMES = [
  'lossband_training_loss',
  'lossband_clean_loss',
  'lossband_smoothed_loss',
  'lossband_validation_loss',
  'lossband_validation_accuracy_ratio',
  'lossband_band_lower',
  'lossband_band_upper',
  'lossband_noise_sigma',
  'lossband_noise_sigma_min',
  'lossband_noise_sigma_max',
  'lossband_noise_draws',
  'lossband_controller_error',
  'lossband_controller_term',
  'lossband_band_status',
  'lossband_loss_jitter',
  'lossband_band_too_narrow',
  'lossband_in_band',
  'lossband_epoch',
  'lossband_epochs_total',
  'lossband_epochs_in_band_total',
  'lossband_loss_non_finite_total',
  'lossband_epoch_duration_seconds',
  'lossband_tensors',
  'lossband_last_epoch_timestamp_seconds',
  'lossband_run_state',
  'lossband_run_info',
  'lossband_phase_duration_seconds',
  'lossband_internal_errors_total',
] as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** The metrics in {@link METRIC_NAMES} that are histograms. */
export const HISTOGRAM_NAMES: readonly MetricName[] = ['lossband_epoch_duration_seconds'];

/**
 * Every series name that can appear on `/metrics` for the group: {@link METRIC_NAMES} plus
 * the `_bucket`, `_sum` and `_count` series of each histogram.
 *
 * @example
 * SERIES_NAMES.includes('lossband_epoch_duration_seconds_bucket'); // true
 */
export const SERIES_NAMES: readonly string[] = [
  ...METRIC_NAMES,
  ...HISTOGRAM_NAMES.flatMap((name) => [`${name}_bucket`, `${name}_sum`, `${name}_count`]),
];
