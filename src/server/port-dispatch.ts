import type { CommandReply, CommandRequest, Dispatch } from './run-command.js';

/** Options of {@link createPortDispatch}. */
export interface PortDispatchOptions {
  /** Sends a command to the main thread. Required. */
  readonly send: (id: number, request: CommandRequest, deadline: number) => void;
  /** How long to wait for the reply before answering 503, in ms. Required. */
  readonly timeoutMs: number;
  /** Wall clock in ms, shared by both threads. Defaults to `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** The dispatch of a server thread, and the side that takes the main thread's replies. */
export interface PortDispatch {
  readonly dispatch: Dispatch;
  /** Hands over the reply to command `id`; a late or unknown id is ignored. */
  receive(id: number, reply: CommandReply): void;
  /** Answers every command still waiting with 503: the thread is closing. */
  close(): void;
}

/**
 * Request/reply over a message port: each command gets an id, and its promise resolves with
 * the reply that carries the same id, or with 503 after `timeoutMs` when the main thread is
 * busy (a long epoch) or gone. The command carries its deadline, so the main thread skips it
 * if it reads it only after that, and a change refused with 503 is not applied much later
 * behind the client's back. (One read just before the deadline may still apply: the 503
 * says to read the run before retrying.)
 *
 * @example
 * const remote = createPortDispatch({ send: (id, request, deadline) => port.postMessage({ type: 'command', id, request, deadline }), timeoutMs: 30_000 });
 * port.on('message', (m) => m.type === 'reply' && remote.receive(m.id, m.reply));
 */
export function createPortDispatch(options: PortDispatchOptions): PortDispatch {
  const { send, timeoutMs, now = Date.now } = options;
  const pending = new Map<number, (reply: CommandReply) => void>();
  let nextId = 1;
  const unavailable = (error: string): CommandReply => ({ status: 503, body: { error } });
  return {
    dispatch: (request) =>
      new Promise((resolve) => {
        const id = nextId++;
        const deadline = now() + timeoutMs;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const settle = (reply: CommandReply): void => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(reply);
        };
        // Answer 503 only once the deadline has passed on the shared clock, never a tick early:
        // a command the main thread reads after a 503 was sent is then always one it skips.
        const expire = (): void => {
          const left = deadline - now();
          if (left >= 0) timer = setTimeout(expire, left + 1);
          else
            settle(
              unavailable(
                `run: the training thread did not answer within ${timeoutMs} ms; read the run before retrying`,
              ),
            );
        };
        timer = setTimeout(expire, timeoutMs);
        pending.set(id, settle);
        send(id, request, deadline);
      }),
    receive: (id, reply) => pending.get(id)?.(reply),
    close: () => {
      for (const settle of [...pending.values()]) settle(unavailable('run: the server is closing'));
    },
  };
}
