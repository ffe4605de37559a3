import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { quote } from './quote.js';
import { sendJson } from './send-json.js';

/** A guard's verdict: pass, or the status and one-line reason to refuse with. */
export type GuardVerdict =
  { readonly ok: true } | { readonly ok: false; readonly status: number; readonly error: string };

const PASS: GuardVerdict = { ok: true };
/** Methods that change nothing; every other method is state-changing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** `Sec-Fetch-Site` values a state-changing request may carry: the page itself, or the user. */
const TRUSTED_FETCH_SITES = new Set(['same-origin', 'none']);
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/**
 * Whether a request may change state, judged from where the browser says it comes from.
 * Safe methods (GET, HEAD, OPTIONS) always pass. A state-changing request passes when:
 * - it has no `Origin` header (curl, scripts: browsers always send one on cross-origin
 *   POST/PUT, including the `text/plain` "simple" requests that skip CORS preflight), or its
 *   `Origin` is the server's own origin, `<scheme>://<Host header>`, or one of `allowedOrigins`;
 * - and its `Sec-Fetch-Site`, if any, is `same-origin` or `none`: `cross-site` and
 *   `same-site` (e.g. another port on localhost) are refused.
 *
 * Refusal is 403 `cross-origin request refused`.
 *
 * @example
 * checkOrigin({ method: 'POST', headers: { host: '127.0.0.1:9464', origin: 'https://evil.example' } });
 * // { ok: false, status: 403, error: 'cross-origin request refused' }
 */
export function checkOrigin(
  req: { readonly method?: string | undefined; readonly headers: IncomingHttpHeaders },
  options: { readonly scheme?: 'http' | 'https'; readonly allowedOrigins?: readonly string[] } = {},
): GuardVerdict {
  if (SAFE_METHODS.has((req.method ?? 'GET').toUpperCase())) return PASS;
  const refused: GuardVerdict = { ok: false, status: 403, error: 'cross-origin request refused' };
  const site = header(req.headers, 'sec-fetch-site')?.trim().toLowerCase();
  if (site !== undefined && !TRUSTED_FETCH_SITES.has(site)) return refused;
  const origin = header(req.headers, 'origin')?.trim();
  if (origin === undefined) return PASS;
  const host = header(req.headers, 'host')?.trim();
  const own = host === undefined || host === '' ? undefined : `${options.scheme ?? 'http'}://${host}`.toLowerCase();
  const allowed = (options.allowedOrigins ?? []).map((o) => o.toLowerCase());
  const given = origin.toLowerCase();
  return given === own || allowed.includes(given) ? PASS : refused;
}

/**
 * Whether `address` is a loopback bind address: `localhost`, 127.0.0.0/8, `::1` or an
 * IPv4-mapped 127.x address.
 *
 * @example
 * isLoopbackAddress('127.0.0.1'); // true
 * isLoopbackAddress('0.0.0.0'); // false
 */
export function isLoopbackAddress(address: string): boolean {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (a === 'localhost' || a === '::1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * DNS-rebinding defence for a server bound to loopback: a page on `http://evil.example`
 * whose name later resolves to 127.0.0.1 reaches the server with `Host: evil.example`. When
 * `bindHost` is a loopback address, only Host headers naming `localhost`, `127.0.0.1` or
 * `[::1]` (any port) pass; others get 421. A missing Host (HTTP/1.0 tools) passes; a server
 * bound elsewhere accepts any Host.
 *
 * @example
 * checkHost('evil.example:9464', '127.0.0.1'); // { ok: false, status: 421, … }
 * checkHost('localhost:9464', '127.0.0.1'); // { ok: true }
 */
export function checkHost(host: string | undefined, bindHost: string): GuardVerdict {
  if (host === undefined || !isLoopbackAddress(bindHost)) return PASS;
  const name = host
    .trim()
    .toLowerCase()
    .replace(/:\d{1,5}$/, '');
  if (LOOPBACK_NAMES.has(name)) return PASS;
  return {
    ok: false,
    status: 421,
    error: `Host: ${quote(host)} is not a loopback name (use localhost, 127.0.0.1 or [::1])`,
  };
}

/** A request listener's pre-check: answers and returns `false` to refuse, returns `true` to go on. */
export type RequestGuard = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * {@link checkOrigin} as a guard. Compose before the control API's handlers.
 *
 * @example
 * const origin = originGuard();
 * createServer((req, res) => { if (!origin(req, res)) return; api(req, res); });
 */
export function originGuard(options: Parameters<typeof checkOrigin>[1] = {}): RequestGuard {
  return (req, res) => answer(res, checkOrigin(req, options));
}

/**
 * {@link checkHost} as a guard for every request of a server listening on `bindHost`.
 *
 * @example
 * const host = hostGuard('127.0.0.1');
 * createServer((req, res) => { if (!host(req, res)) return; … });
 */
export function hostGuard(bindHost: string): RequestGuard {
  return (req, res) => answer(res, checkHost(req.headers.host, bindHost));
}

function answer(res: ServerResponse, verdict: GuardVerdict): boolean {
  if (verdict.ok) return true;
  sendJson(res, verdict.status, { error: verdict.error });
  return false;
}
