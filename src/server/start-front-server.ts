import type { RequestListener } from 'node:http';
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ErrorCounter } from '../metrics/internal-component.js';
import { assertBindablePort, baseUrl, bindFailure } from './bind-rules.js';
import type { FromFront, ToFront } from './front-protocol.js';
import { MetricsPublisher } from './metrics-publisher.js';
import { spawnFrontWorker } from './spawn-front-worker.js';
import { startServer, type RunningServer } from './start-server.js';

/** Options of {@link startFrontServer}. */
export interface FrontServerOptions {
  /** The main thread's handler, usually from `createApp`: it answers every forwarded request. Required. */
  readonly app: RequestListener;
  /** Registry whose snapshots `/metrics` serves. Required. */
  readonly registry: Registry;
  /** Whether training has started (`/readyz`); read on the main thread. Defaults to always ready. */
  readonly isReady?: (() => boolean) | undefined;
  /** Interface to bind. Defaults to `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Port to bind, 1–65535. Defaults to 9464. For no server, do not call this. */
  readonly port?: number | undefined;
  /** Whether the user chose `port`: a busy chosen port is an error, a busy default one is not. Required. */
  readonly portExplicit: boolean;
  /** Bind a free port the OS picks and ignore `port` (tests). Defaults to false. */
  readonly ephemeral?: boolean | undefined;
  /** Least time between two snapshots, in ms: the most a scrape lags behind (plus one epoch). Defaults to 250. */
  readonly publishIntervalMs?: number | undefined;
  /** How long rendering one snapshot may take before it counts as failed, in ms. Defaults to 2000. */
  readonly publishTimeoutMs?: number | undefined;
  /** How long a forwarded request may wait on the main thread before a 504, in ms. Defaults to 30000. */
  readonly forwardTimeoutMs?: number | undefined;
  /** How long the front thread may take to listen before the main thread serves instead, in ms. Defaults to 10000. */
  readonly startTimeoutMs?: number | undefined;
  /** How long `close()` waits for each step (thread, internal server), in ms. Defaults to 2000. */
  readonly closeTimeoutMs?: number | undefined;
  /** Where failures are counted (`metrics` for snapshots, `server` for the rest). Defaults to not counting. */
  readonly errors?: ErrorCounter | undefined;
  /** Logger for the busy-port warning and failures. Required. */
  readonly log: Logger;
}

/** A server whose scrapes and probes never wait for the main thread. */
export interface FrontServer extends RunningServer {
  /**
   * `worker`: a worker thread owns the public port. `main`: it could not start, so the app is
   * served from the main thread as {@link startServer} does (scrapes wait for epochs again).
   */
  readonly mode: 'worker' | 'main';
  /** Loopback URL of the main thread's app behind the front (diagnostics, benchmarks); `undefined` in `main` mode. */
  readonly internalUrl: string | undefined;
  /** Publishes a snapshot unless one is in flight or younger than `publishIntervalMs`. Cheap; optional after each epoch. */
  publish(): void;
  /** Publishes a snapshot now and waits until it is posted, e.g. when the run has ended. Never rejects. */
  flush(): Promise<void>;
}

/**
 * Starts the public HTTP server on a worker thread, so `/metrics`, `/healthz` and `/readyz`
 * answer in milliseconds while synchronous training kernels hold the main thread.
 *
 * - `app` listens on an ephemeral `127.0.0.1` port (the internal server).
 * - A {@link MetricsPublisher} renders `registry` at start, every `publishIntervalMs` (the
 *   timer fires between epochs, since epochs yield to the event loop), on `publish()` and on
 *   `flush()`, and posts the text and readiness to the thread.
 * - The thread listens on `host:port`, answers `GET`/`HEAD /metrics|/healthz|/readyz` from the
 *   latest snapshot, and forwards every other request to `app` unchanged (see
 *   `createForwarder`): the control API waits for the epoch boundary, as its effects do.
 *
 * Binding behaves as {@link startServer}: a busy default port warns and resolves `undefined`,
 * a busy chosen port or an unbindable host rejects with a one-line `UserError`. If the thread
 * cannot start, the failure is logged and counted and `app` is served from the main thread.
 * `close()` goes stop → flush → close: it stops the timer, posts a final snapshot, ends the
 * thread (terminating it if it does not end in time) and closes the internal server; it never
 * rejects and never hangs.
 *
 * @example
 * const server = await startFrontServer({ app: createApp({ registry, routes }), registry, isReady, portExplicit: false, log, errors: metrics });
 * // optional, after each epoch: server?.publish();
 * await server?.close();
 */
export async function startFrontServer(options: FrontServerOptions): Promise<FrontServer | undefined> {
  const { app, registry, isReady, host = '127.0.0.1', port = 9464, portExplicit, ephemeral = false, errors, log } = options;
  const { closeTimeoutMs = 2000, startTimeoutMs = 10_000, forwardTimeoutMs = 30_000 } = options;
  if (!ephemeral) assertBindablePort(port);
  const { publishIntervalMs, publishTimeoutMs } = options;
  for (const [name, ms] of Object.entries({ publishIntervalMs, publishTimeoutMs, forwardTimeoutMs, startTimeoutMs, closeTimeoutMs })) {
    if (ms !== undefined && !(ms > 0)) throw new RangeError(`Invalid ${name}: ${ms} (expected > 0)`);
  }
  // Snapshots go nowhere until the thread exists; the first one travels in its workerData.
  const target: { worker?: Worker } = {};
  const post = (message: ToFront): void => target.worker?.postMessage(message);
  const publisher = new MetricsPublisher({ registry, isReady, post, intervalMs: publishIntervalMs, timeoutMs: publishTimeoutMs, errors, log });
  // The front keeps its connections to the app open and closes idle ones itself: a request then
  // needs no accept turn on the main thread (which gets one turn per epoch), and the app never
  // closes a socket the front is about to reuse.
  const internal = await startServer({ app, host: '127.0.0.1', ephemeral: true, portExplicit: true, closeTimeoutMs, keepAliveTimeoutMs: 0, log });
  if (internal === undefined) throw new Error('the internal server did not start');

  await publisher.flush();
  const initial = publisher.latest ?? { type: 'update', ready: false };
  const start = await spawnFrontWorker({ lossbandFront: true, host, port: ephemeral ? 0 : port, upstreamPort: internal.port, forwardTimeoutMs, initial }, startTimeoutMs);
  if (start.kind !== 'listening') {
    await internal.close();
    if (start.kind === 'bind-failed') return bindFailure(start.code, { host, port, portExplicit }, log);
    errors?.countError('server');
    log.error({ err: start.error }, 'the metrics server thread did not start; serving from the main thread, so scrapes wait for epochs');
    const direct = await startServer({ app, host, port, portExplicit, ephemeral, closeTimeoutMs, log });
    return direct && { ...direct, mode: 'main', internalUrl: undefined, publish: () => undefined, flush: () => Promise.resolve() };
  }

  const thread = start.worker;
  target.worker = thread;
  let closing = false;
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  thread.on('message', (message: FromFront) => {
    if (message.type === 'forward-failed') {
      errors?.countError('server');
      log.warn({ reason: message.reason }, 'a forwarded request got no answer from the main thread');
    } else if (message.type === 'server-error') {
      errors?.countError('server');
      log.error({ code: message.code }, 'the metrics server thread reported a server error');
    }
  });
  thread.on('error', (err) => log.error({ err }, 'the metrics server thread failed'));
  thread.on('exit', (code) => {
    if (closing) return;
    publisher.stop();
    errors?.countError('server');
    log.error({ code }, 'the metrics server thread ended; the metrics server is gone until restart');
  });
  // The internal server keeps the process alive exactly as the single server did.
  thread.unref();
  publisher.start();

  let closed: Promise<void> | undefined;
  const shutDown = async (): Promise<void> => {
    closing = true;
    publisher.stop();
    await publisher.flush();
    thread.postMessage({ type: 'close' } satisfies ToFront);
    if (!(await settlesWithin(exited, closeTimeoutMs))) {
      log.warn({ timeoutMs: closeTimeoutMs }, 'the metrics server thread did not end in time; terminating it');
      await settlesWithin(thread.terminate(), closeTimeoutMs);
    }
    await internal.close();
  };
  return {
    url: baseUrl(host, start.port),
    port: start.port,
    mode: 'worker',
    internalUrl: internal.url,
    publish: () => void publisher.publishIfDue(performance.now()),
    flush: () => publisher.flush(),
    close: () =>
      (closed ??= shutDown().catch((err: unknown) => {
        log.error({ err }, 'closing the metrics server failed');
      })),
  };
}

/** Whether `promise` settles within `ms`; the timer never keeps the process alive. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  const settled = promise.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}
