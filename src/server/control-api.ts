import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Band } from '../core/band.js';
import type { ErrorCounter } from '../metrics/internal-component.js';
import type { RunState } from '../core/run-state.js';
import { ApiError, apiErrorHandler } from './api-error.js';
import { actionBodySchema, bandBodySchema, isRunName } from './api-schemas.js';
import { bearerAuth } from './bearer-auth.js';
import { jsonBody } from './json-body.js';
import type { RunControl } from './run-control.js';

/** Options of {@link createControlApi}. */
export interface ControlApiOptions {
  /** The runs this process can steer; read on every request. Required. */
  readonly runs: () => readonly RunControl[];
  /**
   * Bearer token that `PUT`/`POST` routes require. Defaults to none: those routes answer 403
   * and the API is read-only.
   */
  readonly token?: string | undefined;
  /** Where failures of the API itself are counted (component `api`). Defaults to not counting. */
  readonly errors?: ErrorCounter | undefined;
  /** Logger for failures and accepted changes. Defaults to no logging. */
  readonly log?: Logger | undefined;
}

/** States in which a run no longer takes requests. */
const TERMINAL: readonly RunState[] = ['finished', 'stopped', 'diverged'];
const ACTIONS = ['pause', 'resume', 'stop'] as const;

/**
 * The HTTP control API of a process's runs, to be mounted at `/api`:
 *
 * | route                               | answer                                   |
 * |-------------------------------------|------------------------------------------|
 * | `GET /runs`                         | 200, `RunView[]`                         |
 * | `GET /runs/:run`                    | 200, `{ ...RunView, lastEvent }`         |
 * | `PUT /runs/:run/band` `{lo, hi}`    | 200, the view with the new band          |
 * | `POST /runs/:run/pause|resume|stop` | 202, the view; applied at the next epoch |
 *
 * Reads are open. Changes need `Authorization: Bearer <token>` (401 without it, 403 for
 * every change when no token is configured) and are refused with 409 once a run has ended.
 * Bodies are JSON of at most 16 KiB, validated with the config file's schema. Every refusal
 * is a 4xx `{ "error": "<one line naming the field>" }` and changes nothing; a wrong method
 * on a known path is a 405 with `Allow`. A failure of the API itself is a bare 500, counted
 * as `api` and logged; it never reaches the training loop.
 *
 * @example
 * const app = createApp({ registry, routes: [{ path: '/api', router: createControlApi({ runs: () => [control], token }) }] });
 * // curl -X PUT -H 'Authorization: Bearer …' -H 'Content-Type: application/json' \
 * //   -d '{"lo":0.2,"hi":0.3}' http://127.0.0.1:9464/api/runs/demo/band
 */
export function createControlApi(options: ControlApiOptions): Router {
  const { runs, errors, log } = options;
  const auth = bearerAuth(options.token);
  const router = express.Router();
  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });

  const find = (req: Request): RunControl => {
    const name = String(req.params.run ?? '');
    if (!isRunName(name)) throw new ApiError(400, 'run: not a run name (1-64 letters, digits, ".", "_" or "-")');
    const run = runs().find((r) => r.run === name);
    if (run === undefined) throw new ApiError(404, `run: no run named "${name}"`);
    return run;
  };
  /** A run that still takes changes, left in `res.locals.run`. */
  const live: RequestHandler = (req, res, next) => {
    const run = find(req);
    const { state } = run.view();
    if (TERMINAL.includes(state)) throw new ApiError(409, `run: "${run.run}" is ${state} and takes no more changes`);
    res.locals.run = run;
    next();
  };

  route(router, '/runs', {
    GET: [(_req, res) => void res.json(runs().map((r) => r.view()))],
  });
  route(router, '/runs/:run', {
    GET: [
      (req, res) => {
        const run = find(req);
        res.json({ ...run.view(), lastEvent: run.lastEvent() ?? null });
      },
    ],
  });
  route(router, '/runs/:run/band', {
    PUT: [
      auth,
      live,
      jsonBody(bandBodySchema),
      (_req, res) => {
        const run = res.locals.run as RunControl;
        const band = res.locals.body as Band;
        run.setBand({ lo: band.lo, hi: band.hi });
        log?.info({ run: run.run, band }, 'band changed through the control API');
        res.json(run.view());
      },
    ],
  });
  for (const action of ACTIONS) {
    route(router, `/runs/:run/${action}`, {
      POST: [
        auth,
        live,
        jsonBody(actionBodySchema, { required: false }),
        (_req, res) => {
          const run = res.locals.run as RunControl;
          run[action]();
          log?.info({ run: run.run, action }, 'run action requested through the control API');
          res.status(202).json(run.view());
        },
      ],
    });
  }

  router.use(apiErrorHandler({ errors, log }));
  return router;
}

/**
 * Mounts `handlers` per method on `path`; every other method gets 405 with `Allow`, and
 * OPTIONS gets 204 with `Allow`. GET implies HEAD.
 */
function route(router: Router, path: string, handlers: Readonly<Partial<Record<'GET' | 'PUT' | 'POST', RequestHandler[]>>>): void {
  const methods = Object.keys(handlers);
  const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  const r = router.route(path);
  for (const [method, chain] of Object.entries(handlers)) {
    if (method === 'GET') r.get(...chain);
    else if (method === 'PUT') r.put(...chain);
    else r.post(...chain);
  }
  r.all((req: Request, res: Response) => {
    if (req.method === 'OPTIONS') {
      res.status(204).set('Allow', allow).end();
      return;
    }
    throw new ApiError(405, `method: ${req.method} not allowed here; allowed: ${allow}`, { Allow: allow });
  });
}
