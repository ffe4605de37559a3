import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { InternalComponent } from '../metrics/internal-component.js';
import type { AppOptions } from './create-app.js';
import { EventFeed } from '../live/event-feed.js';
import { createLiveHandler } from '../live/live-handler.js';
import type { EpochEvent } from '../core/epoch-event.js';
import { createHttpServer } from './http-timeouts.js';
import { createPortDispatch } from './port-dispatch.js';
import type { FromServer, ServerWorkerData, ToServer } from './server-protocol.js';

/**
 * The server thread (see `startRunServer`): listens on the public address and serves
 * `createApp` from the snapshots `port` brings; a change goes to the main thread as a
 * `command` and is answered with its `reply`. It reports `listening`, `bind-failed`,
 * `server-error`, `scraped`, `count-error` and `log-error` to `port`. On `close` it stops listening, drops
 * every connection and closes `port`, so the thread ends.
 *
 * Guards (`AppOptions.guards`) are functions and cannot cross the thread boundary: build
 * them here, from plain data in `ServerWorkerData`.
 *
 * It binds first and loads the app (express) after `listening`, so the main thread, which
 * waits for `listening` before training, does not wait for express too; a request that
 * arrives in between waits for the app.
 *
 * @example
 * // in a worker: serveInThread(workerData, parentPort)
 */
/** When the server thread loads its app if no request has asked for it first, in ms after binding. */
const APP_LOAD_DELAY_MS = 5000;

export function serveInThread(data: ServerWorkerData, port: MessagePort): void {
  let state = data.state;
  let reported = 0;
  const tell = (message: FromServer): void => port.postMessage(message);
  const remote = createPortDispatch({
    send: (id, request, deadline) => tell({ type: 'command', id, request, deadline }),
    timeoutMs: data.dispatchTimeoutMs,
  });
  const appOptions: AppOptions = {
    state: () => state,
    dispatch: remote.dispatch,
    token: data.token,
    advertise: data.advertise,
    onScrape: (version) => {
      if (version <= reported) return;
      reported = version;
      tell({ type: 'scraped', version });
    },
    // The main thread owns the registry and the logger: failures are counted and logged there.
    errors: { countError: (component: InternalComponent) => tell({ type: 'count-error', component }) },
    log: {
      error: (fields: unknown, message?: unknown) =>
        tell({ type: 'log-error', message: String(message ?? ''), fields: cloneable(fields) }),
    },
  };
  let app: RequestListener | undefined;
  let loading: Promise<RequestListener> | undefined;
  const loadApp = (): Promise<RequestListener> =>
    (loading ??= import('./create-app.js').then(({ createApp }) => (app = createApp(appOptions))));
  const next: RequestListener = (req, res) => {
    if (app !== undefined) return app(req, res);
    loadApp().then(
      (ready) => ready(req, res),
      (err: unknown) => {
        appOptions.log?.error({ err }, 'the server thread could not load its app');
        res.destroy();
      },
    );
  };
  // The live page and its event streams are served here too, so a long epoch never stalls them.
  const feed = new EventFeed<EpochEvent>();
  const handler = createLiveHandler({
    feed,
    bindHost: data.host,
    isRun: (run) => state.runs.some((r) => r.view.run === run),
    next,
  });
  const server = createHttpServer(handler, data.timeouts);

  const close = (): void => {
    remote.close();
    server.close();
    server.closeAllConnections();
    port.close();
  };
  port.on('message', (message: ToServer) => {
    if (message.type === 'state') state = message.state;
    else if (message.type === 'events') feed.append(message.events);
    else if (message.type === 'reply') remote.receive(message.id, message.reply);
    else close();
  });
  server.once('error', (err: NodeJS.ErrnoException) => {
    tell({ type: 'bind-failed', code: err.code ?? 'unknown error' });
    close();
  });
  server.listen({ host: data.host, port: data.port, exclusive: true }, () => {
    server.removeAllListeners('error');
    server.on('error', (err: NodeJS.ErrnoException) =>
      tell({ type: 'server-error', code: err.code ?? 'unknown error' }),
    );
    tell({ type: 'listening', port: (server.address() as AddressInfo).port });
    // The app (express) loads on the first request, or a few seconds in: not at once, when it
    // would take the core a starting model needs (wasm compiles its kernels' optimised code
    // on background threads during the first epochs).
    setTimeout(() => void loadApp().catch(() => undefined), APP_LOAD_DELAY_MS).unref(); // a request reports the failure
  });
}

/** Log fields made safe for structured clone: errors become `{ type, message, stack }`. */
function cloneable(fields: unknown): Record<string, unknown> {
  if (typeof fields !== 'object' || fields === null) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) out[key] = { type: value.name, message: value.message, stack: value.stack };
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
    else out[key] = String(value);
  }
  return out;
}

const data = workerData as Partial<ServerWorkerData> | null;
if (parentPort !== null && data?.lossbandServer === true) serveInThread(data as ServerWorkerData, parentPort);
