import type { Band } from '../core/band.js';

/** A change the control API asks of a run, already authenticated and validated. Plain data. */
export type RunCommand =
  { readonly type: 'band'; readonly band: Band } | { readonly type: 'pause' | 'resume' | 'stop' };

/** A command addressed to the run named `run`. */
export interface CommandRequest {
  readonly run: string;
  readonly command: RunCommand;
}

/** The HTTP answer to a command: a status and a JSON body (a `RunView` or `{ error }`). */
export interface CommandReply {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Carries a command to where the runs live and brings back the answer: a direct call on the
 * main thread, a request/reply over a MessagePort from the server thread. Never rejects.
 *
 * @example
 * const reply = await dispatch({ run: 'demo', command: { type: 'pause' } }); // { status: 202, body: view }
 */
export type Dispatch = (request: CommandRequest) => Promise<CommandReply>;
