/**
 * The thread that trains a sweep's points, one at a time, with the normal run layer
 * (`runSession` on a `RunHost` that serves nothing: the sweep's main thread serves every run).
 * Every ~250 ms, and before it reports a point done, it posts its run series and run views;
 * control requests arrive as messages and are applied like the API applies them in a single
 * run. Started by `PointWorker` through `startModuleWorker`.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { EpochSink } from '../core/epoch-sink.js';
import type { RunState } from '../core/run-state.js';
import { UserError } from '../core/user-error.js';
import { RunHost } from '../run/run-host.js';
import { runSession } from '../run/run-session.js';
import type { RunControl } from '../server/run-control.js';
import type { FromPointWorker, PointCommand, PointResult, ToPointWorker } from './sweep-protocol.js';

/** How often the thread posts its series and views, in ms (the server's own snapshot interval). */
const POST_INTERVAL_MS = 250;
const ENDED: readonly RunState[] = ['finished', 'stopped', 'diverged'];
const silent: EpochSink = { epoch: () => undefined, stop: () => undefined };

/** Applies `command` to `run`; whether it took it. */
async function apply(run: RunControl, command: PointCommand): Promise<boolean> {
  // A run that ended while the request travelled takes no more changes (the API's 409 rule).
  if (ENDED.includes(run.view().state)) return false;
  if (command.action === 'band') await run.setBand(command.band);
  else run[command.action]();
  return true;
}

async function serve(port: MessagePort): Promise<void> {
  const host = await RunHost.start({ port: 0 });
  const send = (message: FromPointWorker): void => port.postMessage(message);
  type Command = Extract<ToPointWorker, { type: 'command' }>;
  /** The point being trained and the requests that came before its run existed. */
  let current: { name: string; waiting: Command[] } | undefined;
  let posting: Promise<void> | undefined;

  const post = async (): Promise<void> => {
    const metrics = await host.runMetricsJSON();
    send({ type: 'update', metrics, runs: host.all.map((r) => ({ view: r.view(), lastEvent: r.lastEvent() })) });
  };
  /** Posts unless a post is in flight (the timer). */
  const tick = (): void => {
    deliverWaiting();
    posting ??= post()
      .catch((err: unknown) => host.log.error({ err }, 'posting the run series to the sweep failed'))
      .finally(() => (posting = undefined));
  };
  /** Posts the latest state, after any post in flight (before `done` and `close`). */
  const flush = async (): Promise<void> => {
    while (posting) await posting;
    tick();
    await posting;
  };
  /** A run opens a moment after its point starts; requests sent before then wait for it. */
  const deliverWaiting = (): void => {
    if (!current || current.waiting.length === 0) return;
    const run = host.all.find((r) => r.run === current?.name);
    if (run) for (const command of current.waiting.splice(0)) execute(run, command);
  };
  /** Applies a command and tells the main thread whether it took (a band only once it is persisted). */
  const execute = (run: RunControl | undefined, command: Command): void => {
    void (run ? apply(run, command) : Promise.resolve(false))
      .catch((err: unknown) => {
        host.log.error({ err, run: command.run, action: command.action }, 'a control request failed on the run');
        return false;
      })
      .then((applied) => send({ type: 'applied', id: command.id, applied }));
  };

  const timer = setInterval(tick, POST_INTERVAL_MS);

  const runPoint = async (message: Extract<ToPointWorker, { type: 'run' }>): Promise<void> => {
    const { config } = message;
    current = { name: config.name, waiting: [] };
    let result: PointResult;
    try {
      await runSession({
        config,
        host,
        progress: silent,
        say: () => undefined,
        resume: message.resume,
        handleSignals: false,
      });
      result = { kind: 'ended' };
    } catch (err) {
      result =
        err instanceof UserError
          ? { kind: 'threw', message: err.message, exitCode: err.exitCode }
          : {
              kind: 'threw',
              message: `internal error: ${(err as Error)?.message ?? String(err)}`,
              exitCode: undefined,
            };
      const run = host.all.find((r) => r.run === config.name);
      // runSession retires the series of runs that end; one that threw mid-way ends here.
      if (run && result.exitCode !== 3) host.retire(run);
    }
    // Requests for a run that never opened are answered: not applied.
    for (const command of current.waiting.splice(0)) execute(undefined, command);
    current = undefined;
    await flush();
    send({ type: 'done', run: config.name, result });
  };

  port.on('message', (message: ToPointWorker) => {
    switch (message.type) {
      case 'run':
        void runPoint(message);
        break;
      case 'command': {
        if (current?.name === message.run) {
          current.waiting.push(message);
          deliverWaiting();
        } else {
          execute(
            host.all.find((r) => r.run === message.run),
            message,
          );
        }
        break;
      }
      case 'close':
        clearInterval(timer);
        void flush()
          .then(() => host.close())
          .finally(() => port.close());
        break;
    }
  });
}

// Messages wait in the port's queue until `serve` listens. A failure to start rejects
// unhandled, which ends the thread: the main thread then fails the point it had given it.
if (parentPort) void serve(parentPort);
