export { LossbandMetrics, EPOCH_DURATION_BUCKETS, type LossbandMetricsOptions } from './lossband-metrics.js';
export { registerProcessMetrics, type ProcessMetricsOptions } from './process-metrics.js';
export { METRIC_NAMES, HISTOGRAM_NAMES, SERIES_NAMES, type MetricName } from './metric-names.js';
export { EPOCH_GAUGES, type EpochGauge } from './epoch-gauges.js';
export { RUN_STATES, type RunState } from '../core/run-state.js';
export { PHASES, type Phase } from './phase.js';
export { RUN_INFO_LABELS, type RunInfo } from './run-info.js';
export { INTERNAL_COMPONENTS, type InternalComponent, type ErrorCounter } from './internal-component.js';
