/**
 * The messages between the main thread and the server thread (see `startRunServer`).
 * Plain data only: they cross a thread boundary by structured clone.
 */
import type { InternalComponent } from '../metrics/internal-component.js';
import type { HttpTimeouts } from './http-timeouts.js';
import type { CommandReply, CommandRequest } from './run-command.js';
import type { ServerState } from './server-state.js';
import type { EpochEvent } from '../core/epoch-event.js';

/** Main → server. `close` stops listening, drops every connection and ends the thread. */
export type ToServer =
  /** A new snapshot to answer from. */
  | { readonly type: 'state'; readonly state: ServerState }
  /** A batch of epoch events for the live page's feed. */
  | { readonly type: 'events'; readonly events: readonly EpochEvent[] }
  /** The answer to the `command` with the same `id`. */
  | { readonly type: 'reply'; readonly id: number; readonly reply: CommandReply }
  | { readonly type: 'close' };

/** Server → main. */
export type FromServer =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'bind-failed'; readonly code: string }
  /** The listening server failed after it started (e.g. EMFILE on accept). */
  | { readonly type: 'server-error'; readonly code: string }
  /**
   * A validated change for the runs. The server thread answers 503 itself once `deadline`
   * (`Date.now()` ms) has passed, so the main thread skips a command it reads after that.
   */
  | { readonly type: 'command'; readonly id: number; readonly request: CommandRequest; readonly deadline: number }
  /** `/metrics` answered 200 with snapshot `version`, newer than any reported before. */
  | { readonly type: 'scraped'; readonly version: number }
  /** A failure on the server thread, to count in `lossband_internal_errors_total{component}`. */
  | { readonly type: 'count-error'; readonly component: InternalComponent }
  /** A failure on the server thread, to log at error level. */
  | { readonly type: 'log-error'; readonly message: string; readonly fields: Readonly<Record<string, unknown>> };

/** What the server thread starts with (its `workerData`). */
export interface ServerWorkerData {
  /** Marks the data as ours, so the entry module only starts when loaded as the server thread. */
  readonly lossbandServer: true;
  readonly host: string;
  /** Public port; 0 lets the OS pick. */
  readonly port: number;
  /** The state to serve from the first request on. */
  readonly state: ServerState;
  readonly token: string | undefined;
  readonly advertise: string | undefined;
  /** How long a change waits for the main thread before the thread answers 503, in ms. */
  readonly dispatchTimeoutMs: number;
  readonly timeouts: HttpTimeouts;
}
