import { createHash, timingSafeEqual } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { quoteKey } from '../../src/server/api-schemas.js';
import { tokenMatches } from '../../src/server/bearer-auth.js';
import { createControlApi } from '../../src/server/control-api.js';
import { INITIAL_STATE } from '../../src/server/server-state.js';
import { makeEvent } from '../metrics/make-event.js';
import { fakeRun, MODES, serveControlApi, type FakeRun, type Mode, type ServedApi } from './control-api-fake.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const TOKEN = 'test-token_0123456789abcdef';
/** The runs every server of this file steers; each test sets its own. */
const holder: { runs: FakeRun[] } = { runs: [] };
/** One server per mode and token, shared by the tests: a server thread takes a while to start. */
const servers = new Map<string, Promise<ServedApi>>();
afterAll(async () => {
  await Promise.all([...servers.values()].map(async (s) => (await s).server.close()));
});

/** The shared server of `mode` and `token`, now steering `runs`, with its counters cleared. */
async function serve(mode: Mode, runs: FakeRun[], token: string | null = TOKEN): Promise<ServedApi> {
  const key = `${mode} ${token}`;
  if (!servers.has(key))
    servers.set(key, serveControlApi({ runs: () => holder.runs, token: token ?? undefined }, mode));
  const api = (await servers.get(key)) as ServedApi;
  holder.runs = runs;
  await api.server.flush();
  api.counted.length = 0;
  api.log.lines.length = 0;
  return api;
}

const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json', ...auth };

/** The response's status, headers and body, after checking the body leaks nothing. */
async function call(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  expect(text).not.toMatch(/\n\s+at |node_modules|\/work\/|file:\/\//);
  const body = text === '' ? undefined : (JSON.parse(text) as unknown);
  return { status: res.status, headers: res.headers, body };
}

/** The one-line error reason of a 4xx body. */
function reason(body: unknown): string {
  const { error } = body as { error: string };
  expect(error).not.toContain('\n');
  return error;
}

describe.each(MODES)('%s mode', (mode) => {
  describe('createControlApi reads', () => {
    it('lists the runs and shows one with its last event', async () => {
      const run = fakeRun('demo');
      const { url, server } = await serve(mode, [run, fakeRun('other')]);
      const list = await call(`${url}/api/runs`);
      expect(list.status).toBe(200);
      expect(list.body).toEqual([run.view(), fakeRun('other').view()]);
      expect(list.headers.get('x-content-type-options')).toBe('nosniff');

      expect((await call(`${url}/api/runs/demo`)).body).toEqual({ ...run.view(), lastEvent: null });
      run.last = makeEvent({ run: 'demo', epoch: 7 });
      await server.flush(); // reads answer from the published snapshot
      expect((await call(`${url}/api/runs/demo`)).body).toEqual({ ...run.view(), lastEvent: run.last });
    });

    it('answers HEAD like GET and OPTIONS with Allow', async () => {
      const { url } = await serve(mode, [fakeRun()]);
      expect((await fetch(`${url}/api/runs`, { method: 'HEAD' })).status).toBe(200);
      const options = await fetch(`${url}/api/runs/demo/band`, { method: 'OPTIONS' });
      expect(options.status).toBe(204);
      expect(options.headers.get('allow')).toBe('PUT, OPTIONS');
    });

    it('answers an unknown run with 404 and a bad or huge name with 400, quoting neither', async () => {
      const { url } = await serve(mode, [fakeRun()]);
      const unknown = await call(`${url}/api/runs/nope`);
      expect(unknown.status).toBe(404);
      expect(reason(unknown.body)).toBe('run: no run named "nope"');
      const huge = 'x'.repeat(9000);
      for (const name of [huge, '..%2F..%2Fetc%2Fpasswd', '%00', '_hidden', '%E2%80%AE']) {
        const r = await call(`${url}/api/runs/${name}`);
        expect(r.status, name).toBe(400);
        expect(reason(r.body)).toMatch(/^run: not a run name/);
      }
      const malformed = await call(`${url}/api/runs/%E0%A4%A`);
      expect(malformed.status).toBe(400);
      expect(JSON.stringify(malformed.body)).not.toContain('%E0');
    });
  });

  describe('createControlApi changes', () => {
    it('PUT band calls setBand with the parsed numbers and answers 200 with the new view', async () => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      const r = await call(`${url}/api/runs/demo/band`, { method: 'PUT', headers: json, body: '{"lo":0.2,"hi":3e-1}' });
      expect(r.status).toBe(200);
      expect(run.calls).toEqual(['setBand 0.2 0.3']);
      expect(r.body).toMatchObject({ run: 'demo', band: { lo: 0.2, hi: 0.3 } });
    });

    it.each([
      ['pause', 'paused'],
      ['resume', 'running'],
      ['stop', 'stopped'],
    ] as const)('POST %s answers 202 with the view', async (action, state) => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      const r = await call(`${url}/api/runs/demo/${action}`, { method: 'POST', headers: auth });
      expect(r.status).toBe(202);
      expect(run.calls).toEqual([action]);
      expect(r.body).toMatchObject({ run: 'demo', state });
    });

    it('accepts an empty JSON object on an action and refuses anything else in it', async () => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      expect((await call(`${url}/api/runs/demo/pause`, { method: 'POST', headers: json, body: '{}' })).status).toBe(
        202,
      );
      const r = await call(`${url}/api/runs/demo/stop`, { method: 'POST', headers: json, body: '{"force":true}' });
      expect(r.status).toBe(400);
      expect(reason(r.body)).toBe('force: unknown key');
      const text = await call(`${url}/api/runs/demo/stop`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: 'now',
      });
      expect(text.status).toBe(415);
      expect(run.calls).toEqual(['pause']);
    });

    it('refuses changes to a run that has ended with 409', async () => {
      const run = fakeRun('done', 'finished');
      const { url } = await serve(mode, [run]);
      const r = await call(`${url}/api/runs/done/resume`, { method: 'POST', headers: auth });
      expect(r.status).toBe(409);
      expect(reason(r.body)).toBe('run: "done" is finished and takes no more changes');
      expect(run.calls).toEqual([]);
    });

    it('answers 404 for a change to an unknown run', async () => {
      const { url } = await serve(mode, [fakeRun()]);
      expect((await call(`${url}/api/runs/ghost/pause`, { method: 'POST', headers: auth })).status).toBe(404);
    });
  });

  describe('createControlApi authorisation', () => {
    it.each([
      ['no header', {}, 'Authorization: missing, expected "Bearer <token>"'],
      ['a wrong token', { authorization: 'Bearer wrong-token' }, 'Authorization: invalid bearer token'],
      [
        'a prefix of the token',
        { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
        'Authorization: invalid bearer token',
      ],
      ['the token twice', { authorization: `Bearer ${TOKEN}${TOKEN}` }, 'Authorization: invalid bearer token'],
      [
        'Basic',
        { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` },
        'Authorization: invalid bearer token',
      ],
      ['a bare scheme', { authorization: 'Bearer' }, 'Authorization: invalid bearer token'],
      ['two tokens', { authorization: `Bearer ${TOKEN} ${TOKEN}` }, 'Authorization: invalid bearer token'],
    ])(
      'refuses %s with 401 and WWW-Authenticate, changing nothing',
      async (_what, headers: Record<string, string>, message) => {
        const run = fakeRun();
        const { url } = await serve(mode, [run]);
        const r = await call(`${url}/api/runs/demo/band`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', ...headers },
          body: '{"lo":0.1,"hi":0.2}',
        });
        expect(r.status).toBe(401);
        expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="lossband"/);
        expect(reason(r.body)).toBe(message);
        expect(run.calls).toEqual([]);
      },
    );

    it('accepts the scheme in any case', async () => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      expect(
        (await call(`${url}/api/runs/demo/pause`, { method: 'POST', headers: { authorization: `bearer ${TOKEN}` } }))
          .status,
      ).toBe(202);
    });

    // vi.mock reaches this thread only, so the spy sees the comparisons of the in-process app.
    it.runIf(mode === 'main')('compares tokens with timingSafeEqual over equal-length SHA-256 digests', async () => {
      const { url } = await serve(mode, [fakeRun()]);
      const spy = vi.mocked(timingSafeEqual);
      spy.mockClear();
      await call(`${url}/api/runs/demo/pause`, { method: 'POST', headers: { authorization: 'Bearer x' } });
      await call(`${url}/api/runs/demo/pause`, {
        method: 'POST',
        headers: { authorization: `Bearer ${'y'.repeat(4000)}` },
      });
      expect(spy).toHaveBeenCalledTimes(2);
      for (const [a, b] of spy.mock.calls) {
        expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
      }
    });

    it('answers every change with 403 when no token is configured, and keeps reads open', async () => {
      const run = fakeRun();
      const { url } = await serve(mode, [run], null);
      for (const [method, path] of [
        ['PUT', 'band'],
        ['POST', 'pause'],
        ['POST', 'resume'],
        ['POST', 'stop'],
      ] as const) {
        const r = await call(`${url}/api/runs/demo/${path}`, {
          method,
          headers: { ...json, authorization: 'Bearer anything' },
          body: '{"lo":0.1,"hi":0.2}',
        });
        expect(r.status).toBe(403);
        expect(reason(r.body)).toMatch(/^Authorization: .*read-only$/);
      }
      expect((await call(`${url}/api/runs`)).status).toBe(200);
      expect(run.calls).toEqual([]);
    });

    it('refuses to start with a malformed token, without quoting it', () => {
      const api = (token: string) =>
        createControlApi({ state: () => INITIAL_STATE, dispatch: () => Promise.reject(new Error('unused')), token });
      expect(() => api('sec ret')).toThrow(RangeError);
      expect(() => api('')).toThrow(/Invalid API token/);
      try {
        api('sec ret');
      } catch (err) {
        expect((err as Error).message).not.toContain('sec ret');
      }
    });
  });

  describe('createControlApi body validation', () => {
    const nested = '['.repeat(8000) + ']'.repeat(8000);
    const nestedObject = '{"lo":'.repeat(2000) + '1' + '}'.repeat(2000);
    it.each([
      ['a string number', '{"lo":"0.1","hi":0.2}', /^lo: .*expected number, received string$/],
      ['"NaN"', '{"lo":"NaN","hi":0.2}', /^lo: .*received string$/],
      ['a boolean', '{"lo":0.1,"hi":true}', /^hi: .*received boolean$/],
      ['null', '{"lo":null,"hi":0.2}', /^lo: .*received null$/],
      ['lo = hi', '{"lo":0.2,"hi":0.2}', /^lo: lo must be less than hi$/],
      ['lo > hi', '{"lo":0.5,"hi":0.1}', /^lo: lo must be less than hi$/],
      ['a negative number', '{"lo":-0.1,"hi":0.2}', /^lo: Too small/],
      ['a denormal width', '{"lo":0,"hi":5e-324}', /^hi: hi - lo must be at least 0.000001$/],
      ['an overflowing number', '{"lo":0.1,"hi":1e999}', /^hi: .*received Infinity$/],
      ['a missing field', '{"lo":0.1}', /^hi: .*received undefined$/],
      ['an unknown field', '{"lo":0.1,"hi":0.2,"mid":0.15}', /^mid: unknown key$/],
      [
        'a long garbage key',
        `{"lo":0.1,"hi":0.2,"${'\u202e'.repeat(500)}":1}`,
        /^"(\\u202e){32}\\u2026": unknown key$/,
      ],
      ['fullwidth keys', '{"ｌｏ":0.1,"ｈｉ":0.2}', /^lo: /],
      ['an array', '[0.1,0.2]', /^body: .*expected object, received array$/],
      ['a bare number', '0.1', /^body: /],
      ['"null"', 'null', /^body: /],
      ['not JSON', '{lo: 0.1, hi: 0.2}', /^body: not valid JSON/],
      ['truncated JSON', '{"lo":0.1,', /^body: not valid JSON/],
      ['whitespace', '  \n ', /^body: empty/],
      ['NaN literal', '{"lo":NaN,"hi":1}', /^body: not valid JSON/],
      ['__proto__', '{"lo":0.1,"hi":0.2,"__proto__":{"polluted":1}}', /^body: forbidden key "__proto__"$/],
      [
        'escaped __proto__',
        '{"lo":0.1,"hi":0.2,"\\u005f_proto__":{"polluted":1}}',
        /^body: forbidden key "__proto__"$/,
      ],
      [
        'constructor.prototype',
        '{"lo":0.1,"hi":0.2,"constructor":{"prototype":{"polluted":1}}}',
        /^body: forbidden key "constructor"$/,
      ],
      ['deep prototype', '{"lo":0.1,"hi":0.2,"a":{"b":{"\\u0070rototype":1}}}', /^body: forbidden key "prototype"$/],
      ['deeply nested arrays', nested, /^body: /],
      ['deeply nested objects', nestedObject, /^lo: .*received object$/],
    ])('refuses %s with one line naming the field, changing nothing', async (_what, body, message) => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      const before = run.view();
      const r = await call(`${url}/api/runs/demo/band`, { method: 'PUT', headers: json, body });
      expect(r.status).toBe(400);
      expect(reason(r.body)).toMatch(message);
      expect(run.calls).toEqual([]);
      expect(run.view()).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('refuses invalid UTF-8 with 400', async () => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      const body = Buffer.concat([
        Buffer.from('{"lo":0.1,"hi":0.2,"x":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]);
      const r = await call(`${url}/api/runs/demo/band`, { method: 'PUT', headers: json, body });
      expect(r.status).toBe(400);
      expect(reason(r.body)).toBe('body: not valid UTF-8');
    });

    it('refuses a missing body with 400', async () => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      const r = await call(`${url}/api/runs/demo/band`, { method: 'PUT', headers: auth });
      expect(r.status).toBe(400);
      expect(reason(r.body)).toMatch(/^body: missing/);
    });

    it.each([
      ['text/plain', { 'content-type': 'text/plain' }, 'Content-Type: expected application/json'],
      ['form data', { 'content-type': 'application/x-www-form-urlencoded' }, 'Content-Type: expected application/json'],
      ['no Content-Type', { 'content-type': '' }, 'Content-Type: expected application/json'],
      [
        'a latin1 charset',
        { 'content-type': 'application/json; charset=latin1' },
        'Content-Type: unsupported charset, expected utf-8',
      ],
      [
        'utf-16',
        { 'content-type': 'application/json; charset=utf-16' },
        'Content-Type: unsupported charset, expected utf-8',
      ],
      [
        'gzip',
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        'Content-Encoding: not supported, send the body uncompressed',
      ],
    ])('refuses %s with 415', async (_what, headers: Record<string, string>, message) => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      const r = await call(`${url}/api/runs/demo/band`, {
        method: 'PUT',
        headers: { ...auth, ...headers },
        body: '{"lo":0.1,"hi":0.2}',
      });
      expect(r.status).toBe(415);
      expect(reason(r.body)).toBe(message);
      expect(run.calls).toEqual([]);
    });

    it('accepts application/merge-patch+json and an explicit utf-8 charset', async () => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      for (const type of ['application/merge-patch+json', 'application/json; charset="UTF-8"']) {
        expect(
          (
            await call(`${url}/api/runs/demo/band`, {
              method: 'PUT',
              headers: { ...auth, 'content-type': type },
              body: '{"lo":0.1,"hi":0.2}',
            })
          ).status,
        ).toBe(200);
      }
    });

    it('refuses a body over 16 KiB with 413, declared or chunked', async () => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      const big = `{"lo":0.1,"hi":0.2,"pad":"${'x'.repeat(17 * 1024)}"}`;
      const declared = await call(`${url}/api/runs/demo/band`, { method: 'PUT', headers: json, body: big });
      expect(declared.status).toBe(413);
      expect(reason(declared.body)).toBe('body: larger than 16384 bytes');
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(1024)));
          controller.close();
        },
      });
      const chunked = await call(`${url}/api/runs/demo/band`, {
        method: 'PUT',
        headers: json,
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(run.calls).toEqual([]);
    });

    it('refuses a body shorter than its Content-Length with 400', async () => {
      const run = fakeRun();
      const { server } = await serve(mode, [run]);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${server.url}/api/runs/demo/band`,
          { method: 'PUT', headers: { ...json, 'content-length': '100' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write('{"lo":0.1,"hi":0.2}');
        setImmediate(() => req.destroy());
      }).catch(() => 0);
      // The client hung up before the server could answer; the point is that nothing changed.
      expect([0, 400]).toContain(status);
      expect(run.calls).toEqual([]);
    });
  });

  describe('createControlApi methods and failures', () => {
    it.each([
      ['DELETE', '/api/runs', 'GET, HEAD, OPTIONS'],
      ['POST', '/api/runs', 'GET, HEAD, OPTIONS'],
      ['PATCH', '/api/runs/demo', 'GET, HEAD, OPTIONS'],
      ['GET', '/api/runs/demo/band', 'PUT, OPTIONS'],
      ['POST', '/api/runs/demo/band', 'PUT, OPTIONS'],
      ['GET', '/api/runs/demo/pause', 'POST, OPTIONS'],
      ['PUT', '/api/runs/demo/stop', 'POST, OPTIONS'],
    ])('answers %s %s with 405 and Allow', async (method, path, allow) => {
      const run = fakeRun();
      const { url } = await serve(mode, [run]);
      const r = await call(`${url}${path}`, {
        method,
        headers: json,
        body: method === 'GET' ? undefined : '{"lo":0.1,"hi":0.2}',
      });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe(allow);
      expect(reason(r.body)).toBe(`method: ${method} not allowed here; allowed: ${allow}`);
      expect(run.calls).toEqual([]);
    });

    it('keeps serving the last good view when a run handle throws, and answers a change to it with a bare 500; both counted and logged', async () => {
      const run = fakeRun();
      const api = await serve(mode, [run]);
      run.view = () => {
        throw new Error(`boom at ${import.meta.url}`);
      };
      await api.server.flush();
      expect(api.counted).toEqual(['api']);
      expect(api.log.lines.some((l) => String(l.msg).startsWith('reading a run for the server snapshot failed'))).toBe(
        true,
      );
      const read = await call(`${api.url}/api/runs/demo`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ run: 'demo', state: 'running' });
      const change = await call(`${api.url}/api/runs/demo/pause`, { method: 'POST', headers: auth });
      expect(change.status).toBe(500);
      expect(change.body).toEqual({ error: 'internal error' });
      expect(api.log.lines.some((l) => l.msg === 'control API command failed')).toBe(true);
      expect(new Set(api.counted)).toEqual(new Set(['api']));
      expect((await call(`${api.url}/api/runs/nope`)).status).toBe(404);
    });
  });
});

describe('control API helpers', () => {
  it('tokenMatches compares digests, so any length is safe', () => {
    const digest = createHash('sha256').update(TOKEN).digest();
    expect(tokenMatches(digest, TOKEN)).toBe(true);
    expect(tokenMatches(digest, '')).toBe(false);
    expect(tokenMatches(digest, TOKEN.repeat(100))).toBe(false);
  });

  it('quoteKey keeps plain keys and escapes, cuts and quotes the rest', () => {
    expect(quoteKey('lo')).toBe('lo');
    expect(quoteKey(0)).toBe('"0"');
    expect(quoteKey('a\nb')).toBe('"a\\nb"');
    expect(quoteKey('é'.repeat(40))).toBe(`"${'\\u00e9'.repeat(32)}\\u2026"`);
  });
});
