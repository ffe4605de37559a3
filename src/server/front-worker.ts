import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createFrontHandler, type FrontState } from './front-handler.js';
import { createForwarder } from './forward-request.js';
import type { FromFront, FrontUpdate, FrontWorkerData, ToFront } from './front-protocol.js';

/** How long a connection to the app may sit idle before the front closes it. */
const IDLE_CONNECTION_MS = 30_000;

/**
 * The front thread (see `startFrontServer`): listens on the public address, answers scrapes
 * and probes from the state `port` brings, forwards the rest to the main thread's app, and
 * reports to `port` (`listening`, `bind-failed`, `forward-failed`, `server-error`). On `close` it stops
 * listening, drops every connection and closes `port`, so the thread ends.
 *
 * @example
 * // in a worker: serveFront(workerData, parentPort)
 */
export function serveFront(data: FrontWorkerData, port: MessagePort): void {
  let state = apply({ ready: false, metrics: undefined }, data.initial);
  const tell = (message: FromFront): void => port.postMessage(message);
  // Kept-alive connections to the app: a new one costs the main thread an extra event-loop turn,
  // i.e. an extra epoch. Only this side closes idle ones (the app's keep-alive timeout is off),
  // so a request never lands on a socket the app is closing.
  const agent = new Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });
  const forward = createForwarder({
    port: data.upstreamPort,
    agent,
    timeoutMs: data.forwardTimeoutMs,
    onFailure: (reason) => tell({ type: 'forward-failed', reason }),
  });
  const server = createServer(createFrontHandler({ state: () => state, forward }));

  const close = (): void => {
    server.close();
    server.closeAllConnections();
    agent.destroy();
    port.close();
  };
  port.on('message', (message: ToFront) => {
    if (message.type === 'close') close();
    else state = apply(state, message);
  });
  server.once('error', (err: NodeJS.ErrnoException) => {
    tell({ type: 'bind-failed', code: err.code ?? 'unknown error' });
    close();
  });
  server.listen({ host: data.host, port: data.port, exclusive: true }, () => {
    server.removeAllListeners('error');
    server.on('error', (err: NodeJS.ErrnoException) => tell({ type: 'server-error', code: err.code ?? 'unknown error' }));
    tell({ type: 'listening', port: (server.address() as AddressInfo).port });
  });
}

function apply(state: FrontState, update: FrontUpdate): FrontState {
  const { metrics } = update;
  if (metrics === undefined) return { ...state, ready: update.ready };
  return { ready: update.ready, metrics: metrics === null ? null : { body: Buffer.from(metrics.text, 'utf8'), contentType: metrics.contentType } };
}

const data = workerData as Partial<FrontWorkerData> | null;
if (parentPort !== null && data?.lossbandFront === true) serveFront(data as FrontWorkerData, parentPort);
