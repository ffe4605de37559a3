import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ErrorCounter } from '../metrics/internal-component.js';

/**
 * A request the control API refuses: an HTTP status and a one-line reason that names the
 * field, header or parameter. The reason is sent to the client as `{ "error": reason }`, so
 * it must never quote more than a short, sanitised piece of the request.
 *
 * @example
 * throw new ApiError(415, 'Content-Type: expected application/json');
 */
export class ApiError extends Error {
  readonly status: number;
  /** Extra response headers, e.g. `Allow` or `WWW-Authenticate`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, reason: string, headers: Readonly<Record<string, string>> = {}) {
    super(reason.replace(/\s+/g, ' '));
    this.name = 'ApiError';
    this.status = status;
    this.headers = headers;
  }
}

/** Fixed reasons for the body-parser and router errors that carry a 4xx status. */
const REASON_OF_TYPE: Readonly<Record<string, string>> = {
  'entity.too.large': 'body: larger than 16 KiB',
  'encoding.unsupported': 'Content-Encoding: not supported, send the body uncompressed',
  'charset.unsupported': 'Content-Type: unsupported charset, expected utf-8',
  'request.aborted': 'body: request aborted',
  'request.size.invalid': 'body: length does not match Content-Length',
  'stream.encoding.set': 'body: cannot be read',
};

/** Options of {@link apiErrorHandler}. */
export interface ApiErrorHandlerOptions {
  /** Where unexpected failures are counted (component `api`). Defaults to not counting. */
  readonly errors?: ErrorCounter | undefined;
  /** Logger for unexpected failures. Defaults to no logging. */
  readonly log?: Pick<Logger, 'error'> | undefined;
}

/**
 * The control API's error middleware: an {@link ApiError} becomes its status and reason; a
 * 4xx error from body-parser or the router becomes its status and a fixed reason (their
 * messages quote the request); anything else is a bug, answered with a bare 500 that is
 * counted and logged, never rethrown (ARCHITECTURE.md, rule 4).
 *
 * @example
 * router.use(apiErrorHandler({ errors: metrics, log }));
 */
export function apiErrorHandler(options: ApiErrorHandlerOptions = {}) {
  const { errors, log } = options;
  // Express recognises error handlers by their four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let status = 500;
    let reason = 'internal error';
    let headers: Readonly<Record<string, string>> = {};
    if (err instanceof ApiError) {
      ({ status, headers } = err);
      reason = err.message;
    } else {
      const client = clientStatusOf(err);
      if (client !== undefined) {
        status = client;
        reason = REASON_OF_TYPE[typeOf(err)] ?? 'bad request';
      }
    }
    if (status >= 500) {
      errors?.countError('api');
      log?.error({ err, method: req.method, path: req.path.slice(0, 200) }, 'control API request failed');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).set(headers).json({ error: reason });
  };
}

function clientStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const code = status ?? statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : undefined;
}

function typeOf(err: unknown): string {
  const type = (err as { type?: unknown }).type;
  return typeof type === 'string' ? type : '';
}
