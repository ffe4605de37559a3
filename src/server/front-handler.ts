import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** What the front serves by itself, as last published by the main thread. */
export interface FrontState {
  readonly ready: boolean;
  /** The encoded `/metrics` answer; `null` after a failed render, `undefined` before the first. */
  readonly metrics: { readonly body: Buffer; readonly contentType: string } | null | undefined;
}

/** Options of {@link createFrontHandler}. */
export interface FrontHandlerOptions {
  /** The latest published state; read on every request. Required. */
  readonly state: () => FrontState;
  /** Handles every request the front does not answer itself. Required. */
  readonly forward: RequestListener;
}

const json = (status: number, value: unknown): { status: number; body: Buffer; contentType: string } => ({
  status,
  body: Buffer.from(JSON.stringify(value)),
  contentType: 'application/json; charset=utf-8',
});
const HEALTHY = json(200, { status: 'ok' });
const READY = json(200, { status: 'ready' });
const STARTING = json(503, { status: 'starting' });
const FAILED = json(500, { error: 'internal error' });
const NOT_YET = json(503, { error: 'metrics not published yet' });

/**
 * The request listener of the front thread: `GET`/`HEAD` of exactly `/metrics`, `/healthz`
 * and `/readyz` (any query) are answered from `state()` without touching the main thread;
 * everything else — other methods, other spellings such as `/metrics/`, the control API,
 * unknown paths — goes to `forward`, i.e. the main thread's app, which answers it as before.
 *
 * The answers match `createApp`'s: the registry's content type, `{"status":"ok"}`,
 * `{"status":"ready"}` or 503 `{"status":"starting"}`, `Cache-Control: no-store`. A failed
 * render is a bare 500 `{"error":"internal error"}`, as a failing scrape was.
 *
 * @example
 * createServer(createFrontHandler({ state: () => latest, forward: createForwarder({ port }) }));
 */
export function createFrontHandler(options: FrontHandlerOptions): RequestListener {
  const { state, forward } = options;
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (req.method !== 'GET' && req.method !== 'HEAD') return forward(req, res);
    if (path === '/healthz') return send(res, HEALTHY);
    if (path === '/readyz') return send(res, state().ready ? READY : STARTING);
    if (path !== '/metrics') return forward(req, res);
    const { metrics } = state();
    send(res, metrics === undefined ? NOT_YET : metrics === null ? FAILED : { status: 200, ...metrics });
  };
}

function send(res: ServerResponse, answer: { status: number; body: Buffer; contentType: string }): void {
  res.writeHead(answer.status, { 'Content-Type': answer.contentType, 'Content-Length': answer.body.length, 'Cache-Control': 'no-store' });
  res.end(answer.body); // Node leaves the body out of a HEAD answer
}
