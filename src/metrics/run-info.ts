/**
 * What `lossband_run_info` says about a run, one label each; the metric's value is always 1.
 * Label names are snake_case because they are Prometheus labels verbatim.
 *
 * @example
 * const info: RunInfo = {
 *   model_name: 'mlp', architecture: '4-16-3', parameters: 131,
 *   dataset: 'iris', backend: 'cpu', controller: 'pid',
 * };
 */
export interface RunInfo {
  readonly model_name: string;
  readonly architecture: string;
  /** Trainable parameter count. */
  readonly parameters: number | string;
  readonly dataset: string;
  readonly backend: string;
  readonly controller: string;
}

/** The label names of `lossband_run_info`, besides `run`. */
export const RUN_INFO_LABELS = [
  'model_name',
  'architecture',
  'parameters',
  'dataset',
  'backend',
  'controller',
] as const;
