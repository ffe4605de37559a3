import type { EpochEvent } from '../core/epoch-event.js';
import type { RunView } from './run-control.js';

/** A registry's text at one moment, exactly as `/metrics` serves it. */
export interface MetricsSnapshot {
  readonly text: string;
  readonly contentType: string;
}

/** One run as the server shows it: what `GET /api/runs/:run` answers. */
export interface RunSnapshot {
  readonly view: RunView;
  readonly lastEvent: EpochEvent | null;
}

/**
 * Everything the server answers reads from, published by the main thread (see
 * `MetricsPublisher`) and read by the app on every request, on whichever thread it runs.
 * Plain data: it crosses a thread boundary by structured clone.
 *
 * - `version` grows by one with every snapshot, so a scrape can say which one it served.
 * - `metrics`: the registry's text; `null` when the last render failed (`/metrics` answers
 *   500 until one succeeds), `undefined` before the first render (503).
 *
 * @example
 * const state: ServerState = { version: 1, ready: true, metrics: { text: '…', contentType: 'text/plain' }, runs: [] };
 */
export interface ServerState {
  readonly version: number;
  /** Whether training has started: `/readyz` answers 200 when true, 503 before. */
  readonly ready: boolean;
  readonly metrics: MetricsSnapshot | null | undefined;
  readonly runs: readonly RunSnapshot[];
}

/** The state before anything was published: not ready, no metrics, no runs. */
export const INITIAL_STATE: ServerState = { version: 0, ready: false, metrics: undefined, runs: [] };
