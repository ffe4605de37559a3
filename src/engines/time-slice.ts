/**
 * How long a built-in engine computes an epoch before it lets the event loop run (signal
 * handlers, the control API, timers), in ms: see `TrainablePlant.stepSliced`. A slice ends
 * only between optimiser steps, so one batch is the longest stretch the main thread is held.
 */
export const DEFAULT_SLICE_MS = 50;

/**
 * Resolves on a later turn of the event loop, after pending I/O callbacks and signals.
 *
 * @example
 * if (performance.now() - sliceStart >= sliceMs) await yieldToEventLoop();
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
