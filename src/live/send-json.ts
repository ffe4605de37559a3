import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Ends `res` with a small JSON answer, uncached and not to be sniffed, as the control API
 * answers: `{ "error": "<one line>" }` for refusals.
 *
 * @example
 * sendJson(res, 404, { error: 'run: no run named "x"' });
 */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}
