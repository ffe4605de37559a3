/**
 * The states a run passes through, as exported by `lossband_run_state{state}`: exactly one
 * of them is 1 at any time. `diverged` means training stopped on a non-finite loss;
 * `stopped` means a user or signal ended it; `finished` means it ran all its epochs.
 *
 * @example
 * RUN_STATES.includes('running'); // true
 */
export const RUN_STATES = ['starting', 'running', 'paused', 'finished', 'stopped', 'diverged'] as const;

/** One of {@link RUN_STATES}. */
export type RunState = (typeof RUN_STATES)[number];
