import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { ErrorCounter } from '../metrics/internal-component.js';
import { createControlApi } from './control-api.js';
import type { RequestGuard } from '../live/request-guards.js';
import type { Dispatch } from './run-command.js';
import type { MetricsSnapshot, ServerState } from './server-state.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The latest published state; every read answers from it. Required. */
  readonly state: () => ServerState;
  /** Carries validated control-API changes to the runs (see `createCommandExecutor`). Required. */
  readonly dispatch: Dispatch;
  /** Bearer token the control API's changes require. Defaults to none: the API is read-only (403). */
  readonly token?: string | undefined;
  /** The `host:port` that `GET /api/sd` lists. Defaults to the request's `Host` header. */
  readonly advertise?: string | undefined;
  /** Checks run on every request before routing, in order; one that answers stops it. Defaults to none. */
  readonly guards?: readonly RequestGuard[] | undefined;
  /** Told the state version of every `GET /metrics` answered 200, once the answer is sent. Defaults to nothing. */
  readonly onScrape?: ((version: number) => void) | undefined;
  /** Where failures are counted (`server`, and `api` for the control API). Defaults to not counting. */
  readonly errors?: ErrorCounter | undefined;
  /** Logger for failures. Defaults to no logging. */
  readonly log?: Pick<Logger, 'error'> | undefined;
}

/**
 * The one HTTP app of a run server, the same whether it runs on the server thread or on the
 * main thread:
 *
 * - `GET /metrics`: the last published registry text with its content type; 503
 *   `{"error":"metrics not published yet"}` before the first, a bare 500 after a failed render;
 * - `GET /healthz`: 200 `{"status":"ok"}` while the process lives;
 * - `GET /readyz`: 200 `{"status":"ready"}` once training has started, else 503 `{"status":"starting"}`;
 * - `/api`: the control API and `GET /api/sd` (see `createControlApi`).
 *
 * Reads come from `state()` and never wait for the main thread; changes go through `dispatch`.
 * Unknown routes get a 404 JSON body; failures get a 500 JSON body, counted as `server`. No
 * response carries a stack trace or a file path, and every one says `Cache-Control: no-store`.
 *
 * @example
 * const app = createApp({ state: () => publisher.latest, dispatch: createCommandExecutor({ runs }), token });
 * const server = await startServer({ app, portExplicit: false, log });
 */
export function createApp(options: AppOptions): Express {
  const { state, guards = [], onScrape, errors, log } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (guards.length > 0) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      for (const guard of guards) if (!guard(req, res)) return;
      next();
    });
  }
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  // A snapshot is encoded once, not per scrape: with 100 runs' series it is hundreds of KiB.
  const encoded = new WeakMap<MetricsSnapshot, Buffer>();
  app.get('/metrics', (req: Request, res: Response) => {
    const { metrics, version } = state();
    if (metrics === undefined) {
      res.status(503).json({ error: 'metrics not published yet' });
      return;
    }
    if (metrics === null) {
      res.status(500).json({ error: 'internal error' });
      return;
    }
    let body = encoded.get(metrics);
    if (body === undefined) encoded.set(metrics, (body = Buffer.from(metrics.text, 'utf8')));
    if (onScrape !== undefined && req.method === 'GET') res.once('finish', () => onScrape(version));
    res.set('Content-Type', metrics.contentType).send(body);
  });
  app.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req: Request, res: Response) => {
    if (state().ready) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'starting' });
  });
  app.use(
    '/api',
    createControlApi({
      state,
      dispatch: options.dispatch,
      token: options.token,
      advertise: options.advertise,
      errors,
      log,
    }),
  );

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' });
  });
  // Express recognises error handlers by their four parameters.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = httpStatusOf(err);
    if (status >= 500) {
      errors?.countError('server');
      log?.error({ err, method: req.method, path: req.path.slice(0, 200) }, 'request failed');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).json({ error: status >= 500 ? 'internal error' : 'bad request' });
  });
  return app;
}

/** Status of an error thrown by a handler or body parser: its own 4xx status, else 500. */
function httpStatusOf(err: unknown): number {
  if (typeof err === 'object' && err !== null) {
    const status =
      (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return status;
  }
  return 500;
}
