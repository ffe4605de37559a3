import type { Logger } from 'pino';
import type { ErrorCounter } from '../metrics/internal-component.js';
import { isRunName } from './api-schemas.js';
import type { CommandReply, CommandRequest, Dispatch } from './run-command.js';
import { hasEnded, type RunControl } from './run-control.js';

/** Options of {@link createCommandExecutor}. */
export interface CommandExecutorOptions {
  /** The runs this process can steer; read on every command. Required. */
  readonly runs: () => readonly RunControl[];
  /** Where a failing run handle is counted (component `api`). Defaults to not counting. */
  readonly errors?: ErrorCounter | undefined;
  /** Logger for accepted changes and failures. Defaults to no logging. */
  readonly log?: Pick<Logger, 'info' | 'error'> | undefined;
}

const reply = (status: number, body: unknown): CommandReply => ({ status, body });
const refuse = (status: number, error: string): CommandReply => reply(status, { error });

/**
 * Applies control-API commands to the runs on the main thread: the one place a change
 * happens, whether the request came in on this thread or over the server thread's port.
 * It decides against the runs as they are now, not as the last snapshot showed them:
 *
 * - an unknown run: 404 `run: no run named "…"`;
 * - a run that has ended: 409 `run: "…" is finished and takes no more changes`;
 * - `band`: awaits `setBand` (which may persist the band), then 200 with the view;
 * - `pause`, `resume`, `stop`: 202 with the view; applied at the next epoch boundary.
 *
 * A handle that throws or rejects is a bare 500 `{"error":"internal error"}`, counted as
 * `api` and logged; the promise never rejects.
 *
 * @example
 * const dispatch = createCommandExecutor({ runs: () => [liveRun], log });
 * await dispatch({ run: liveRun.run, command: { type: 'band', band: { lo: 0.2, hi: 0.3 } } }); // { status: 200, body: view }
 */
export function createCommandExecutor(options: CommandExecutorOptions): Dispatch {
  const { runs, errors, log } = options;
  const execute = async ({ run: name, command }: CommandRequest): Promise<CommandReply> => {
    if (!isRunName(name)) return refuse(400, 'run: not a run name (1-64 letters, digits, ".", "_" or "-")');
    const run = runs().find((r) => r.run === name);
    if (run === undefined) return refuse(404, `run: no run named "${name}"`);
    const { state } = run.view();
    if (hasEnded(state)) return refuse(409, `run: "${name}" is ${state} and takes no more changes`);
    if (command.type === 'band') {
      const band = { lo: command.band.lo, hi: command.band.hi };
      await run.setBand(band);
      log?.info({ run: name, band }, 'band changed through the control API');
      return reply(200, run.view());
    }
    run[command.type]();
    log?.info({ run: name, action: command.type }, 'run action requested through the control API');
    return reply(202, run.view());
  };
  return async (request) => {
    try {
      return await execute(request);
    } catch (err) {
      errors?.countError('api');
      log?.error({ err, run: request.run, command: request.command.type }, 'control API command failed');
      return refuse(500, 'internal error');
    }
  };
}
