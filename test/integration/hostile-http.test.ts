/**
 * Hostile HTTP requests against the control API, mounted in the app a run serves: bodies,
 * headers, paths and methods. Each must get a 4xx with a one-line JSON reason (or Node's own
 * bare 4xx for what its parser refuses), must not leak a stack or a path, and must leave the
 * run exactly as it was.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeRun, serveControlApi, type FakeRun, type ServedApi } from '../server/control-api-fake.js';

const TOKEN = 'hostile-suite-token-0123456789';
const BAND = '/api/runs/demo/band';

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly body?: string | Buffer;
  /** Status, or any of several. */
  readonly status: number | readonly number[];
  /** The reason must match; omitted for Node's own bare parser errors. */
  readonly reason?: RegExp;
}

const json = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
const put = (
  name: string,
  body: string | Buffer,
  status: number,
  reason: RegExp,
  headers: Record<string, string | number> = json,
): Case => ({
  name,
  method: 'PUT',
  path: BAND,
  headers,
  body,
  status,
  reason,
});

const CASES: readonly Case[] = [
  put('no Authorization', '{"lo":0.1,"hi":0.2}', 401, /^Authorization: missing/, {
    'content-type': 'application/json',
  }),
  {
    name: 'token in the query string',
    method: 'PUT',
    path: `${BAND}?token=${TOKEN}&access_token=${TOKEN}`,
    headers: { 'content-type': 'application/json' },
    body: '{"lo":0.1,"hi":0.2}',
    status: 401,
    reason: /^Authorization: missing/,
  },
  put('token in a cookie', '{"lo":0.1,"hi":0.2}', 401, /^Authorization: missing/, {
    'content-type': 'application/json',
    cookie: `token=${TOKEN}`,
  }),
  put('wrong token, shouting scheme', '{"lo":0.1,"hi":0.2}', 401, /^Authorization: invalid/, {
    ...json,
    authorization: 'BEARER nope',
  }),
  put('8 KB token', '{"lo":0.1,"hi":0.2}', 401, /^Authorization: invalid/, {
    ...json,
    authorization: `Bearer ${'A'.repeat(8000)}`,
  }),
  put('token with unicode', '{"lo":0.1,"hi":0.2}', 401, /^Authorization: invalid/, {
    ...json,
    authorization: Buffer.from(`Bearer ${TOKEN}\u00e9`, 'latin1').toString('latin1'),
  }),
  put('text/plain', '{"lo":0.1,"hi":0.2}', 415, /^Content-Type: /, { ...json, 'content-type': 'text/plain' }),
  put('multipart', '--x\r\n\r\n{"lo":0.1,"hi":0.2}\r\n--x--', 415, /^Content-Type: /, {
    ...json,
    'content-type': 'multipart/form-data; boundary=x',
  }),
  put('utf-16 charset', '{"lo":0.1,"hi":0.2}', 415, /^Content-Type: unsupported charset/, {
    ...json,
    'content-type': 'application/json; charset=utf-16le',
  }),
  put('gzip body', Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0]), 415, /^Content-Encoding: /, {
    ...json,
    'content-encoding': 'gzip',
  }),
  put('17 KiB body', `{"lo":0.1,"hi":0.2,"pad":"${'p'.repeat(17 * 1024)}"}`, 413, /^body: larger than 16384 bytes$/),
  put('"NaN" and "Infinity" strings', '{"lo":"NaN","hi":"Infinity"}', 400, /^lo: .*received string$/),
  put('overflowing numbers', '{"lo":1e999,"hi":2e999}', 400, /^lo: .*Infinity$/),
  put('negative zero and a negative hi', '{"lo":-0,"hi":-1}', 400, /^hi: Too small/),
  put('a denormal band width (σ would go NaN)', '{"lo":0,"hi":5e-324}', 400, /^hi: hi - lo must be at least/),
  put('an array of bands', '[{"lo":0.1,"hi":0.2}]', 400, /^body: .*array$/),
  put('a JSON string', '"lo=0.1&hi=0.2"', 400, /^body: /),
  put(
    '__proto__ pollution',
    '{"lo":0.1,"hi":0.2,"__proto__":{"isAdmin":true}}',
    400,
    /^body: forbidden key "__proto__"$/,
  ),
  put(
    'constructor.prototype pollution',
    '{"constructor":{"prototype":{"isAdmin":true}},"lo":0.1,"hi":0.2}',
    400,
    /^body: forbidden key "constructor"$/,
  ),
  put(
    'escaped __proto__',
    '{"lo":0.1,"hi":0.2,"\\u005F\\u005Fproto\\u005F\\u005F":{"isAdmin":true}}',
    400,
    /^body: forbidden key "__proto__"$/,
  ),
  put('invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 400, /^body: not valid UTF-8$/),
  put('emoji and RTL keys', '{"lo":0.1,"hi":0.2,"😀":1,"\u202elo":0.1}', 400, /^"\\ud83d\\ude00": unknown key$/),
  put('empty body', '', 400, /^body: (missing|empty)/),
  put('duplicate key, last one bad', '{"lo":0.1,"hi":0.2,"lo":-5}', 400, /^lo: Too small/),
  put('control characters', '{"lo":0.1,\u0000"hi":0.2}', 400, /^body: not valid JSON/),
  {
    name: 'path traversal in :run',
    method: 'PUT',
    path: '/api/runs/..%2f..%2fetc%2fpasswd/band',
    headers: json,
    body: '{"lo":0.1,"hi":0.2}',
    status: 400,
    reason: /^run: not a run name/,
  },
  {
    name: '10 KB :run',
    method: 'GET',
    path: `/api/runs/${'r'.repeat(10_000)}`,
    status: 400,
    reason: /^run: not a run name/,
  },
  {
    name: 'NUL in :run',
    method: 'POST',
    path: '/api/runs/demo%00/stop',
    headers: json,
    status: 400,
    reason: /^run: not a run name/,
  },
  {
    name: 'malformed percent-encoding',
    method: 'POST',
    path: '/api/runs/%E0%A4%A/stop',
    headers: json,
    status: 400,
    reason: /^bad request$/,
  },
  {
    name: 'run named constructor',
    method: 'POST',
    path: '/api/runs/constructor/stop',
    headers: json,
    status: 404,
    reason: /^run: no run named "constructor"$/,
  },
  {
    name: 'run named __proto__',
    method: 'GET',
    path: '/api/runs/__proto__',
    status: 400,
    reason: /^run: not a run name/,
  },
  {
    name: 'DELETE a run',
    method: 'DELETE',
    path: '/api/runs/demo',
    headers: json,
    status: 405,
    reason: /^method: DELETE not allowed/,
  },
  { name: 'TRACE the list', method: 'TRACE', path: '/api/runs', status: 405, reason: /^method: TRACE not allowed/ },
  {
    name: 'PATCH the band',
    method: 'PATCH',
    path: BAND,
    headers: json,
    body: '{"lo":0.1,"hi":0.2}',
    status: 405,
    reason: /^method: PATCH not allowed/,
  },
  {
    name: 'GET stop (a crawler)',
    method: 'GET',
    path: '/api/runs/demo/stop',
    headers: { authorization: `Bearer ${TOKEN}` },
    status: 405,
    reason: /^method: GET not allowed/,
  },
  {
    name: 'unknown action',
    method: 'POST',
    path: '/api/runs/demo/delete',
    headers: json,
    status: 404,
    reason: /^not found$/,
  },
  {
    name: 'action with a body of junk',
    method: 'POST',
    path: '/api/runs/demo/pause',
    headers: json,
    body: '{"now":true}',
    status: 400,
    reason: /^now: unknown key$/,
  },
  {
    name: '20 KB cookie header',
    method: 'GET',
    path: '/api/runs',
    headers: { cookie: 'c'.repeat(20_000) },
    status: 431,
  },
];

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(base: string, c: Case): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${c.path ?? BAND}`,
      { method: c.method ?? 'PUT', headers: { ...c.headers, connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(c.body);
  });
}

describe('hostile HTTP input', () => {
  let api: ServedApi;
  let run: FakeRun;
  beforeAll(async () => {
    run = fakeRun('demo');
    api = await serveControlApi({ runs: () => [run], token: TOKEN });
  });
  afterAll(async () => {
    await api.server.close();
  });

  it.for(CASES)('$name: 4xx, one line, run unchanged', async (c) => {
    const before = JSON.stringify(run.view());
    const reply = await send(api.url, c);
    expect([c.status].flat()).toContain(reply.status);
    expect(reply.text).not.toMatch(/\n\s+at |node_modules|\/work\/|\/tmp\/|file:\/\//);
    if (c.reason !== undefined) {
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
      const { error } = JSON.parse(reply.text) as { error: string };
      expect(error).toMatch(c.reason);
      expect(error).not.toContain('\n');
      expect(error.length).toBeLessThanOrEqual(200);
    }
    expect(run.calls).toEqual([]);
    expect(JSON.stringify(run.view())).toBe(before);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(api.counted).toEqual([]);
  });

  it('still steers the run with a well-formed request afterwards', async () => {
    const reply = await send(api.url, put('valid', '{"lo":0.25,"hi":0.35}', 200, /./));
    expect(reply.status).toBe(200);
    expect(run.calls).toEqual(['setBand 0.25 0.35']);
  });
});
