/**
 * The messages between the main thread and the front worker (see {@link startFrontServer}).
 * Plain data only: they cross a thread boundary by structured clone.
 */

/** A registry's text at one moment, exactly as `/metrics` serves it. */
export interface MetricsSnapshot {
  readonly text: string;
  readonly contentType: string;
}

/**
 * New state for the front: readiness always; `metrics` a new snapshot, `null` when the last
 * attempt to render one failed (the front answers `/metrics` with 500 until the next success),
 * absent when unchanged.
 */
export interface FrontUpdate {
  readonly type: 'update';
  readonly ready: boolean;
  readonly metrics?: MetricsSnapshot | null;
}

/** Main → front. `close` stops listening, drops every connection and ends the thread. */
export type ToFront = FrontUpdate | { readonly type: 'close' };

/** Front → main. */
export type FromFront =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'bind-failed'; readonly code: string }
  /** A forwarded request failed on the internal hop (not the client leaving). */
  | { readonly type: 'forward-failed'; readonly reason: ForwardFailure }
  /** The listening server failed after it started (e.g. EMFILE on accept). */
  | { readonly type: 'server-error'; readonly code: string };

/** Why a forwarded request got no answer from the internal server. */
export type ForwardFailure = 'unavailable' | 'timeout';

/** What the front worker starts with (its `workerData`). */
export interface FrontWorkerData {
  /** Marks the data as ours, so the entry module only starts when loaded as the front. */
  readonly lossbandFront: true;
  readonly host: string;
  /** Public port; 0 lets the OS pick. */
  readonly port: number;
  /** Port of the main thread's app on 127.0.0.1. */
  readonly upstreamPort: number;
  readonly forwardTimeoutMs: number;
  /** The state to serve from the first request on. */
  readonly initial: FrontUpdate;
}
