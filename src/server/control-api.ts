import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Band } from '../core/band.js';
import type { ErrorCounter } from '../metrics/internal-component.js';
import { ApiError, apiErrorHandler } from './api-error.js';
import { actionBodySchema, bandBodySchema, isRunName } from './api-schemas.js';
import { bearerAuth } from './bearer-auth.js';
import { jsonBody } from './json-body.js';
import type { Dispatch, RunCommand } from './run-command.js';
import { hasEnded } from './run-control.js';
import { createServiceDiscovery } from './service-discovery.js';
import type { RunSnapshot, ServerState } from './server-state.js';

/** Options of {@link createControlApi}. */
export interface ControlApiOptions {
  /** The latest published state; reads answer from it. Required. */
  readonly state: () => ServerState;
  /** Carries a validated change to the runs and brings back the answer. Required. */
  readonly dispatch: Dispatch;
  /**
   * Bearer token that `PUT`/`POST` routes require. Defaults to none: those routes answer 403
   * and the API is read-only.
   */
  readonly token?: string | undefined;
  /** Where failures of the API itself are counted (component `api`). Defaults to not counting. */
  readonly errors?: ErrorCounter | undefined;
  /** Logger for failures. Defaults to no logging. */
  readonly log?: Pick<Logger, 'error'> | undefined;
  /** The `host:port` that `GET /sd` lists. Defaults to the request's `Host` (see `createServiceDiscovery`). */
  readonly advertise?: string | undefined;
}

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
 * | `GET /sd`                           | 200, Prometheus `http_sd_configs` targets |
 *
 * Reads answer from the published snapshot, so they never wait for an epoch. Changes need
 * `Authorization: Bearer <token>` (401 without it, 403 for every change when no token is
 * configured); the run is looked up in the snapshot (404, and 409 once it has ended) before
 * the body is read, and the body is JSON of at most 16 KiB, validated with the config
 * file's schema. Only then does `dispatch` carry the change to the run, which checks the run
 * again as it is now and answers. Every refusal is a 4xx `{ "error": "<one line naming the
 * field>" }` and changes nothing; a wrong method on a known path is a 405 with `Allow`. A
 * failure of the API itself is a bare 500, counted as `api` and logged.
 *
 * @example
 * const router = createControlApi({ state: () => latest, dispatch: createCommandExecutor({ runs }), token });
 * // curl -X PUT -H 'Authorization: Bearer …' -H 'Content-Type: application/json' \
 * //   -d '{"lo":0.2,"hi":0.3}' http://127.0.0.1:9464/api/runs/demo/band
 */
export function createControlApi(options: ControlApiOptions): Router {
  const { state, dispatch, errors, log } = options;
  const auth = bearerAuth(options.token);
  const router = express.Router();
  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });

  const find = (req: Request): RunSnapshot => {
    const name = String(req.params.run ?? '');
    if (!isRunName(name)) throw new ApiError(400, 'run: not a run name (1-64 letters, digits, ".", "_" or "-")');
    const run = state().runs.find((r) => r.view.run === name);
    if (run === undefined) throw new ApiError(404, `run: no run named "${name}"`);
    return run;
  };
  /** A run that still takes changes, as far as the snapshot knows; its name in `res.locals.run`. */
  const live: RequestHandler = (req, res, next) => {
    const { view } = find(req);
    if (hasEnded(view.state)) throw new ApiError(409, `run: "${view.run}" is ${view.state} and takes no more changes`);
    res.locals.run = view.run;
    next();
  };
  const send = (command: (res: Response) => RunCommand): RequestHandler => {
    return async (_req, res) => {
      const reply = await dispatch({ run: res.locals.run as string, command: command(res) });
      res.status(reply.status).json(reply.body);
    };
  };

  route(router, '/sd', { GET: [createServiceDiscovery({ state, advertise: options.advertise })] });
  route(router, '/runs', {
    GET: [(_req, res) => void res.json(state().runs.map((r) => r.view))],
  });
  route(router, '/runs/:run', {
    GET: [
      (req, res) => {
        const { view, lastEvent } = find(req);
        res.json({ ...view, lastEvent });
      },
    ],
  });
  route(router, '/runs/:run/band', {
    PUT: [auth, live, jsonBody(bandBodySchema), send((res) => ({ type: 'band', band: res.locals.body as Band }))],
  });
  for (const action of ACTIONS) {
    route(router, `/runs/:run/${action}`, {
      POST: [auth, live, jsonBody(actionBodySchema, { required: false }), send(() => ({ type: action }))],
    });
  }

  router.use(apiErrorHandler({ errors, log }));
  return router;
}

/**
 * Mounts `handlers` per method on `path`; every other method gets 405 with `Allow`, and
 * OPTIONS gets 204 with `Allow`. GET implies HEAD.
 */
function route(
  router: Router,
  path: string,
  handlers: Readonly<Partial<Record<'GET' | 'PUT' | 'POST', RequestHandler[]>>>,
): void {
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
