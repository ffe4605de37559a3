import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * How long a client may take, so a stalled or trickling one frees its socket within seconds
 * (Node's own defaults keep a half-sent request for 300 s). Every field in milliseconds.
 */
export interface HttpTimeouts {
  /** Time to receive a request's headers. Defaults to 5000. */
  readonly headersTimeoutMs?: number | undefined;
  /**
   * Time to receive a whole request, headers and body: a client that announces
   * `Content-Length: 1000`, sends one byte and stalls is answered 408 and dropped after this.
   * At least `headersTimeoutMs`. Defaults to 10000.
   */
  readonly requestTimeoutMs?: number | undefined;
  /** How long an idle kept-alive connection stays open after an answer. Defaults to 5000. */
  readonly keepAliveTimeoutMs?: number | undefined;
  /**
   * How long a socket may see no traffic either way before it is destroyed, whatever the
   * phase: e.g. a client that stops reading a large answer. Must exceed the time a change may
   * wait for the training thread. Defaults to 60000.
   */
  readonly socketTimeoutMs?: number | undefined;
}

/** The defaults of {@link HttpTimeouts}, each field filled in. */
export const DEFAULT_HTTP_TIMEOUTS: Required<{ readonly [K in keyof HttpTimeouts]-?: number }> = {
  headersTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5000,
  socketTimeoutMs: 60_000,
};

/**
 * `timeouts` with defaults filled in, after checking each is a positive finite number and
 * `headersTimeoutMs ≤ requestTimeoutMs`. Throws a `RangeError` naming the field and value.
 *
 * @example
 * resolveHttpTimeouts({ requestTimeoutMs: 200, headersTimeoutMs: 200 }).keepAliveTimeoutMs; // 5000
 */
export function resolveHttpTimeouts(timeouts: HttpTimeouts = {}): typeof DEFAULT_HTTP_TIMEOUTS {
  const resolved = { ...DEFAULT_HTTP_TIMEOUTS };
  for (const key of Object.keys(DEFAULT_HTTP_TIMEOUTS) as (keyof HttpTimeouts)[]) {
    const ms = timeouts[key];
    if (ms === undefined) continue;
    if (!(Number.isFinite(ms) && ms > 0))
      throw new RangeError(`Invalid ${key}: ${ms} (expected a positive number of ms)`);
    resolved[key] = ms;
  }
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    throw new RangeError(
      `Invalid headersTimeoutMs: ${resolved.headersTimeoutMs} (expected at most requestTimeoutMs, ${resolved.requestTimeoutMs})`,
    );
  }
  return resolved;
}

/**
 * `http.createServer(listener)` with {@link HttpTimeouts} applied. Node checks the header
 * and request timeouts on a timer (30 s by default); it runs here at a quarter of the
 * shorter one, at most every second, so a timeout is enforced close to when it expires.
 *
 * @example
 * const server = createHttpServer(app, { requestTimeoutMs: 10_000 });
 * server.listen(9464, '127.0.0.1');
 */
export function createHttpServer(listener: RequestListener, timeouts: HttpTimeouts = {}): Server {
  const t = resolveHttpTimeouts(timeouts);
  const checkEvery = Math.max(10, Math.min(1000, Math.floor(Math.min(t.headersTimeoutMs, t.requestTimeoutMs) / 4)));
  const server = createServer(
    { headersTimeout: t.headersTimeoutMs, requestTimeout: t.requestTimeoutMs, connectionsCheckingInterval: checkEvery },
    listener,
  );
  server.keepAliveTimeout = t.keepAliveTimeoutMs;
  // With no 'timeout' listener, Node destroys a socket that stays silent this long.
  server.setTimeout(t.socketTimeoutMs);
  return server;
}
