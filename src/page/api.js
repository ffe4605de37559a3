/* global fetch */

/**
 * Calls the control API at `path` (relative to the page, so it works behind a path prefix)
 * and returns the JSON answer. A refusal throws an Error whose message is the server's
 * one-line reason and the status, e.g. `Authorization: invalid bearer token (HTTP 401)`.
 *
 * @example
 * await callApi('PUT', 'api/runs/demo/band', { token, body: { lo: 0.2, hi: 0.3 } });
 */
export async function callApi(method, path, { token = '', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token !== '') headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new Error('server unreachable');
  }
  let payload = null;
  try {
    payload = await res.json();
  } catch {
    // not JSON: the status line has to do
  }
  if (!res.ok) {
    const reason =
      payload !== null && typeof payload.error === 'string' ? payload.error : res.statusText || 'request failed';
    throw new Error(`${reason} (HTTP ${res.status})`);
  }
  return payload;
}

/** The run's part of an API path, e.g. `api/runs/demo`. */
export function runPath(run) {
  return `api/runs/${encodeURIComponent(run)}`;
}
