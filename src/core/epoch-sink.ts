import type { EpochEvent } from './epoch-event.js';
import type { RunState } from './run-state.js';

/**
 * Something that receives every epoch of a run, in order, on the training thread: a progress
 * bar, a custom logger. It must be quick; it never changes the run.
 */
export interface EpochSink {
  epoch(event: EpochEvent): void;
  /** The run has ended (restore the terminal, flush). */
  stop(): void;
  /** The run's state changed (e.g. paused through the API). Optional. */
  state?(state: RunState): void;
}
