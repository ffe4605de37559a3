import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ErrorCounter } from '../metrics/internal-component.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Registry served on `/metrics`. Required. */
  readonly registry: Registry;
  /** Whether training has started; `/readyz` answers 200 when true, 503 before. Defaults to always ready. */
  readonly isReady?: (() => boolean) | undefined;
  /** Routers mounted before the 404 handler, e.g. a control API at `/api`. Defaults to none. */
  readonly routes?: readonly { readonly path: string; readonly router: Router }[] | undefined;
  /** Where failures are counted (component `server`). Defaults to not counting. */
  readonly errors?: ErrorCounter | undefined;
  /** Logger for failures. Defaults to no logging. */
  readonly log?: Logger | undefined;
}

/**
 * The HTTP app of a run: `/metrics` (Prometheus text format), `/healthz` (200 while the
 * process lives), `/readyz` (200 once training has started) and whatever `routes` add.
 *
 * Unknown routes get a 404 JSON body; failures get a 500 JSON body. No response ever carries
 * a stack trace or a file path, and a failing scrape is logged and counted, never thrown.
 *
 * @example
 * const app = createApp({ registry, isReady: () => metrics.getState() !== 'starting' });
 * const server = await startServer({ app, portExplicit: false, log });
 */
export function createApp(options: AppOptions): Express {
  const { registry, isReady = () => true, errors, log } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  app.get('/metrics', async (_req: Request, res: Response) => {
    const body = await registry.metrics();
    res.set('Content-Type', registry.contentType).send(body);
  });
  app.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req: Request, res: Response) => {
    if (isReady()) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'starting' });
  });

  for (const { path, router } of options.routes ?? []) app.use(path, router);

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' });
  });
  // Express recognises error handlers by their four parameters.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = httpStatusOf(err);
    if (status >= 500) {
      errors?.countError('server');
      log?.error({ err, method: req.method, path: req.path }, 'request failed');
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
    const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return status;
  }
  return 500;
}
