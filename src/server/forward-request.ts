import { request, type Agent, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { ForwardFailure } from './front-protocol.js';

/** Options of {@link createForwarder}. */
export interface ForwarderOptions {
  /** Port of the internal server. Required. */
  readonly port: number;
  /** Host of the internal server. Defaults to `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Agent for the internal hop. Defaults to Node's global agent. */
  readonly agent?: Agent | undefined;
  /**
   * How long the internal hop may stay silent (no bytes either way) before the request is
   * answered 504, in ms. The main thread answers between epochs, so this bounds an epoch.
   * Defaults to 30000.
   */
  readonly timeoutMs?: number | undefined;
  /** Told when the internal server fails or times out; not when the client leaves. Defaults to nothing. */
  readonly onFailure?: ((reason: ForwardFailure) => void) | undefined;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus `expect`: the front already answered `100-continue`. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'expect']);

/** Headers that frame or address the message: never dropped, whatever `Connection` names. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'host']);

const ERRORS: Readonly<Record<ForwardFailure, { status: number; body: string }>> = {
  unavailable: { status: 502, body: JSON.stringify({ error: 'internal server unavailable' }) },
  timeout: { status: 504, body: JSON.stringify({ error: 'internal server timed out' }) },
};

/**
 * A request listener that passes each request on to an internal HTTP server and streams the
 * answer back: method, path and query, headers and body go in; status, headers and body come
 * back unchanged, except hop-by-hop headers. The body streams both ways, so the internal
 * server's own limits (413, 400 on a short body) still apply.
 *
 * When the internal server cannot be reached the client gets 502 `{"error":"internal server
 * unavailable"}`, when it stays silent for `timeoutMs` 504; neither names a host, port or
 * cause. A failure after the answer started cuts the connection, so a truncated body is never
 * mistaken for a whole one. A client that leaves aborts the internal request.
 *
 * @example
 * createServer(createForwarder({ port: internal.port, onFailure: (why) => log.warn(why) })).listen(9464);
 */
export function createForwarder(options: ForwarderOptions): RequestListener {
  const { port, host = '127.0.0.1', agent, timeoutMs = 30_000, onFailure } = options;
  return (req: IncomingMessage, res: ServerResponse): void => {
    let answer: IncomingMessage | undefined;
    let done = false;
    const upstream = request({ host, port, agent, method: req.method, path: req.url, headers: withoutHopByHop(req.headers, false) });

    const fail = (reason: ForwardFailure): void => {
      if (done || answer?.complete === true) return;
      done = true;
      upstream.destroy();
      onFailure?.(reason);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const { status, body } = ERRORS[reason];
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
      res.end(body);
    };

    res.on('close', () => {
      if (res.writableFinished) return;
      done = true; // the client left: nothing to answer, nothing to report
      upstream.destroy();
    });
    upstream.setTimeout(timeoutMs, () => fail('timeout'));
    upstream.on('error', () => fail('unavailable'));
    upstream.on('response', (incoming: IncomingMessage) => {
      answer = incoming;
      res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage || undefined, withoutHopByHop(incoming.headers, true));
      incoming.on('aborted', () => fail('unavailable'));
      incoming.on('error', () => fail('unavailable'));
      incoming.pipe(res);
      // The internal server may answer before reading the whole body (413): drain the rest so
      // the client can finish sending and read the answer, as a direct server lets it.
      incoming.on('end', () => {
        if (!req.complete) req.resume();
      });
    });
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  };
}

/**
 * `headers` without hop-by-hop ones and those `Connection` names. Requests keep
 * `transfer-encoding` (it tells the internal server how the body is framed); answers lose it
 * because Node frames the body again.
 */
function withoutHopByHop(headers: IncomingHttpHeaders, answer: boolean): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== '' && !FRAMING.has(token)),
  );
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    if (answer && name === 'transfer-encoding') continue;
    kept[name] = value;
  }
  return kept;
}
