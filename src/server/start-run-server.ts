import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { EpochEvent } from '../core/epoch-event.js';
import { EventFeed } from '../live/event-feed.js';
import { createLiveHandler } from '../live/live-handler.js';
import type { Registry } from 'prom-client';
import type { ErrorCounter } from '../metrics/internal-component.js';
import { assertBindablePort, baseUrl, bindFailure } from './bind-rules.js';
import { createCommandExecutor } from './execute-command.js';
import { resolveHttpTimeouts, type HttpTimeouts } from './http-timeouts.js';
import { MetricsPublisher } from './metrics-publisher.js';
import type { CommandReply, Dispatch } from './run-command.js';
import type { RunControl } from './run-control.js';
import { ScrapeTracker, type LingerOutcome } from './scrape-tracker.js';
import type { FromServer, ToServer } from './server-protocol.js';
import { assertAdvertise } from './service-discovery.js';
import { spawnServerWorker } from './spawn-server-worker.js';
import { startServer, type RunningServer } from './start-server.js';

/** Options of {@link startRunServer}. */
export interface RunServerOptions {
  /** Registry whose snapshots `/metrics` serves. Required. */
  readonly registry: Registry;
  /** The runs the API shows and steers; read on the main thread. Defaults to none. */
  readonly runs?: (() => readonly RunControl[]) | undefined;
  /** Whether training has started (`/readyz`); read on the main thread. Defaults to always ready. */
  readonly isReady?: (() => boolean) | undefined;
  /** Bearer token the control API's changes require. Defaults to none: the API is read-only. */
  readonly token?: string | undefined;
  /** The `host:port` `GET /api/sd` lists. Defaults to each request's `Host` header. */
  readonly advertise?: string | undefined;
  /**
   * `worker`: a worker thread owns the port and answers every read from snapshots, so a long
   * epoch never delays a scrape. `main`: the same app on the main thread (tests; scrapes wait
   * for the epoch). Defaults to `worker`; if the thread cannot start, `main` is used instead.
   */
  readonly mode?: 'worker' | 'main' | undefined;
  /** Interface to bind. Defaults to `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Port to bind, 1–65535. Defaults to 9464. For no server, do not call this. */
  readonly port?: number | undefined;
  /** Whether the user chose `port`: a busy chosen port is an error, a busy default one is not. Required. */
  readonly portExplicit: boolean;
  /** Bind a free port the OS picks and ignore `port` (tests). Defaults to false. */
  readonly ephemeral?: boolean | undefined;
  /** Least time between two snapshots, in ms: the most a read lags behind (plus one epoch). Defaults to 250. */
  readonly publishIntervalMs?: number | undefined;
  /** How long rendering one snapshot may take before it counts as failed, in ms. Defaults to 2000. */
  readonly publishTimeoutMs?: number | undefined;
  /** How long a change waits for the main thread before it is answered 503, in ms. Defaults to 30000. */
  readonly dispatchTimeoutMs?: number | undefined;
  /** Header, request, keep-alive and socket timeouts of the listener. Defaults to those of {@link HttpTimeouts}. */
  readonly timeouts?: HttpTimeouts | undefined;
  /** How long the thread may take to listen before the main thread serves instead, in ms. Defaults to 10000. */
  readonly startTimeoutMs?: number | undefined;
  /** How long `close()` waits for each step, in ms. Defaults to 2000. */
  readonly closeTimeoutMs?: number | undefined;
  /** Where failures are counted (`metrics`, `server`, `api`). Defaults to not counting. */
  readonly errors?: ErrorCounter | undefined;
  /** Logger for the busy-port warning, accepted changes and failures. Required. */
  readonly log: Logger;
}

/** A run server: `/metrics`, `/healthz`, `/readyz`, the control API and `/api/sd`. */
export interface RunServer extends RunningServer {
  /** Where the app runs: `worker` (a thread of its own) or `main`. */
  readonly mode: 'worker' | 'main';
  /** Publishes a snapshot unless one is in flight or younger than `publishIntervalMs`. Cheap; call after each epoch. */
  publish(): void;
  /** Publishes a snapshot now and waits until it is posted. Never rejects. */
  flush(): Promise<void>;
  /** The newest snapshot version a `GET /metrics` was answered with; 0 while nothing has scraped. */
  readonly scrapedVersion: number;
  /**
   * Flushes a final snapshot and waits until a scrape has served it, so a run's end reaches
   * Prometheus before the process exits: `'no-scraper'` at once if nothing ever scraped
   * `/metrics`, `'scraped'` once a scrape served it (or a later one), else `'timeout'` after
   * `timeoutMs`. Never rejects.
   */
  lingerUntilScraped(timeoutMs: number): Promise<LingerOutcome>;
  /** Adds epoch events to the live page's feed (send them in batches, e.g. every 250 ms). */
  pushEvents(events: readonly EpochEvent[]): void;
}

/**
 * Starts the HTTP server of a process's runs: one app (`createApp`) that answers every read
 * — `/metrics`, `/healthz`, `/readyz`, `GET /api/runs…`, `GET /api/sd` — from the snapshots a
 * {@link MetricsPublisher} posts (at start, every `publishIntervalMs`, on `publish()` and
 * `flush()`), and sends every change, once authenticated and validated, to the runs through
 * `createCommandExecutor` on the main thread.
 *
 * In `worker` mode the app runs on a worker thread: snapshots travel as `state` messages, and
 * a change is a `command` answered by a `reply` (503 after `dispatchTimeoutMs`). A scrape
 * that serves a newer snapshot is reported back (`scraped`), for {@link RunServer.lingerUntilScraped}.
 *
 * Binding behaves as `startServer`: a busy default port warns and resolves `undefined`, a
 * busy chosen port or an unbindable host rejects with a one-line `UserError`. If the thread
 * cannot start, the failure is logged and counted and the app is served from the main
 * thread. `close()` goes stop → flush → close and never rejects or hangs.
 *
 * @example
 * const server = await startRunServer({ registry, runs: () => [run], isReady, token, portExplicit: false, log, errors: metrics });
 * // after each epoch: server?.publish();
 * // when the run has ended: await server?.lingerUntilScraped(30_000);
 * await server?.close();
 */
export async function startRunServer(options: RunServerOptions): Promise<RunServer | undefined> {
  const {
    registry,
    runs = () => [],
    isReady,
    token,
    advertise,
    host = '127.0.0.1',
    port = 9464,
    portExplicit,
    ephemeral = false,
    errors,
    log,
  } = options;
  const {
    closeTimeoutMs = 2000,
    startTimeoutMs = 10_000,
    dispatchTimeoutMs = 30_000,
    publishIntervalMs,
    publishTimeoutMs,
  } = options;
  if (!ephemeral) assertBindablePort(port);
  for (const [name, ms] of Object.entries({
    publishIntervalMs,
    publishTimeoutMs,
    dispatchTimeoutMs,
    startTimeoutMs,
    closeTimeoutMs,
  })) {
    if (ms !== undefined && !(ms > 0)) throw new RangeError(`Invalid ${name}: ${ms} (expected > 0)`);
  }
  // Checked here: the server thread builds its app only after it listens.
  assertAdvertise(advertise);
  const timeouts = resolveHttpTimeouts(options.timeouts);
  if (timeouts.socketTimeoutMs <= dispatchTimeoutMs) {
    throw new RangeError(
      `Invalid socketTimeoutMs: ${timeouts.socketTimeoutMs} (expected more than dispatchTimeoutMs, ${dispatchTimeoutMs})`,
    );
  }

  // Snapshots go nowhere until the thread exists; the first one travels in its workerData.
  const target: { worker?: Worker } = {};
  const post = (message: ToServer): void => target.worker?.postMessage(message);
  const publisher = new MetricsPublisher({
    registry,
    runs,
    isReady,
    post: (state) => post({ type: 'state', state }),
    intervalMs: publishIntervalMs,
    timeoutMs: publishTimeoutMs,
    errors,
    log,
  });
  const execute = createCommandExecutor({ runs, errors, log });
  // After a change the runs are posted at once, ahead of the reply: a read after the answer sees it.
  const dispatch: Dispatch = async (request) => {
    const reply = await execute(request);
    publisher.publishRuns();
    return reply;
  };
  const tracker = new ScrapeTracker();
  let pushEvents: (events: readonly EpochEvent[]) => void = () => undefined;
  await publisher.flush();

  /** The RunServer around a listener at `url`/`port` that `close` shuts down. */
  const runServer = (
    where: Pick<RunningServer, 'url' | 'port'>,
    mode: RunServer['mode'],
    close: () => Promise<void>,
  ): RunServer => {
    let closed: Promise<void> | undefined;
    return {
      url: where.url,
      port: where.port,
      mode,
      get scrapedVersion(): number {
        return tracker.newestVersion;
      },
      publish: () => void publisher.publishIfDue(performance.now()),
      pushEvents: (events) => pushEvents(events),
      flush: () => publisher.flush(),
      lingerUntilScraped: async (timeoutMs) => {
        await publisher.flush();
        if (!tracker.everScraped) return 'no-scraper';
        return tracker.waitFor(publisher.latest.version, timeoutMs);
      },
      close: () =>
        (closed ??= close().catch((err: unknown) => {
          log.error({ err }, 'closing the server failed');
        })),
    };
  };
  const inProcess = async (): Promise<RunServer | undefined> => {
    // express loads only here: in worker mode the main thread never needs it.
    const { createApp } = await import('./create-app.js');
    const app = createApp({
      state: () => publisher.latest,
      dispatch: withDeadline(dispatch, dispatchTimeoutMs),
      token,
      advertise,
      onScrape: (v) => tracker.scraped(v),
      errors,
      log,
    });
    const feed = new EventFeed<EpochEvent>();
    const handler = createLiveHandler({
      feed,
      bindHost: host,
      isRun: (run) => publisher.latest.runs.some((r) => r.view.run === run),
      next: app,
    });
    const direct = await startServer({
      app: handler,
      host,
      port,
      portExplicit,
      ephemeral,
      closeTimeoutMs,
      timeouts,
      log,
    });
    if (direct === undefined) return undefined;
    publisher.start();
    pushEvents = (events) => feed.append(events);
    return runServer(direct, 'main', async () => {
      publisher.stop();
      await publisher.flush();
      tracker.close();
      await direct.close();
    });
  };
  if (options.mode === 'main') return inProcess();

  const start = await spawnServerWorker(
    {
      lossbandServer: true,
      host,
      port: ephemeral ? 0 : port,
      state: publisher.latest,
      token,
      advertise,
      dispatchTimeoutMs,
      timeouts,
    },
    startTimeoutMs,
  );
  if (start.kind === 'bind-failed') return bindFailure(start.code, { host, port, portExplicit }, log);
  if (start.kind === 'failed') {
    errors?.countError('server');
    log.error(
      { err: start.error },
      'the server thread did not start; serving from the main thread, so scrapes wait for epochs',
    );
    return inProcess();
  }

  const thread = start.worker;
  target.worker = thread;
  pushEvents = (events) => post({ type: 'events', events });
  let closing = false;
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  thread.on('message', (message: FromServer) => {
    switch (message.type) {
      case 'command':
        // Read after its deadline: the thread has answered 503 already, so it must not apply.
        if (Date.now() > message.deadline) return;
        void dispatch(message.request).then((reply) => {
          if (!closing) post({ type: 'reply', id: message.id, reply });
        });
        return;
      case 'scraped':
        tracker.scraped(message.version);
        return;
      case 'count-error':
        errors?.countError(message.component);
        return;
      case 'log-error':
        log.error({ ...message.fields, thread: 'server' }, message.message);
        return;
      case 'server-error':
        errors?.countError('server');
        log.error({ code: message.code }, 'the server thread reported a server error');
        return;
    }
  });
  thread.on('error', (err) => log.error({ err }, 'the server thread failed'));
  thread.on('exit', (code) => {
    if (closing) return;
    publisher.stop();
    target.worker = undefined;
    errors?.countError('server');
    log.error({ code }, 'the server thread ended; the metrics server is gone until restart');
  });
  publisher.publishRuns(); // anything that changed while the thread started
  publisher.start();

  return runServer({ url: baseUrl(host, start.port), port: start.port }, 'worker', async () => {
    publisher.stop();
    await publisher.flush();
    closing = true;
    tracker.close();
    post({ type: 'close' });
    if (!(await settlesWithin(exited, closeTimeoutMs))) {
      log.warn({ timeoutMs: closeTimeoutMs }, 'the server thread did not end in time; terminating it');
      await settlesWithin(thread.terminate(), closeTimeoutMs);
    }
  });
}

/** `dispatch`, answering 503 when a change takes longer than `ms` (e.g. a `setBand` that cannot persist). */
function withDeadline(dispatch: Dispatch, ms: number): Dispatch {
  return (request) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<CommandReply>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            status: 503,
            body: { error: `run: the change did not complete within ${ms} ms; read the run before retrying` },
          }),
        ms,
      );
    });
    return Promise.race([dispatch(request), late]).finally(() => clearTimeout(timer));
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
