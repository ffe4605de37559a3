/**
 * The timed phases of a run, as exported by `lossband_phase_duration_seconds{phase}`.
 *
 * @example
 * PHASES.includes('model_build'); // true
 */
export const PHASES = ['data_load', 'preprocess', 'model_build', 'setup', 'training'] as const;

/** One of {@link PHASES}. */
export type Phase = (typeof PHASES)[number];
