import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkHost, checkOrigin, hostGuard, isLoopbackAddress, originGuard } from '../../src/live/request-guards.js';
import { fetchRaw } from './sse-client.js';

const refused = { ok: false, status: 403, error: 'cross-origin request refused' };
const post = (headers: Record<string, string>) => ({ method: 'POST', headers: { host: '127.0.0.1:9464', ...headers } });

describe('checkOrigin', () => {
  it('passes safe methods whatever their origin', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) {
      expect(
        checkOrigin({
          method,
          headers: { host: 'a:1', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        }),
      ).toEqual({ ok: true });
    }
  });

  it('passes a state-changing request without Origin (curl) or from the server’s own origin', () => {
    expect(checkOrigin(post({}))).toEqual({ ok: true });
    expect(checkOrigin(post({ origin: 'http://127.0.0.1:9464', 'sec-fetch-site': 'same-origin' }))).toEqual({
      ok: true,
    });
    expect(checkOrigin(post({ origin: 'HTTP://127.0.0.1:9464' }))).toEqual({ ok: true });
    expect(
      checkOrigin({ method: 'PUT', headers: { host: 'localhost:9464', origin: 'http://localhost:9464' } }),
    ).toEqual({ ok: true });
    expect(checkOrigin(post({ 'sec-fetch-site': 'none' }))).toEqual({ ok: true });
  });

  it('refuses another origin: other host, other port, other scheme, the opaque null origin', () => {
    for (const origin of [
      'https://evil.example',
      'http://127.0.0.1:9465',
      'https://127.0.0.1:9464',
      'http://localhost:9464',
      'null',
      '',
    ]) {
      expect([origin, checkOrigin(post({ origin }))]).toEqual([origin, refused]);
    }
    expect(checkOrigin({ method: 'DELETE', headers: { origin: 'http://127.0.0.1:9464' } })).toEqual(refused); // no Host to compare with
  });

  it('refuses cross-site and same-site fetches even without Origin', () => {
    expect(checkOrigin(post({ 'sec-fetch-site': 'cross-site' }))).toEqual(refused);
    expect(checkOrigin(post({ 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:9464' }))).toEqual(refused);
  });

  it('honours the scheme and an allow-list for a server behind a TLS proxy', () => {
    expect(checkOrigin(post({ origin: 'https://127.0.0.1:9464' }), { scheme: 'https' })).toEqual({ ok: true });
    expect(
      checkOrigin(post({ origin: 'https://runs.example.org' }), { allowedOrigins: ['https://runs.example.org'] }),
    ).toEqual({ ok: true });
  });
});

describe('isLoopbackAddress and checkHost', () => {
  it('knows loopback bind addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'].map(isLoopbackAddress)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com'].map(isLoopbackAddress)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('on a loopback bind, accepts only loopback names in Host (any port)', () => {
    for (const host of ['localhost', 'localhost:9464', '127.0.0.1:1', '[::1]:9464', 'LOCALHOST:80']) {
      expect([host, checkHost(host, '127.0.0.1')]).toEqual([host, { ok: true }]);
    }
    expect(checkHost('evil.example:9464', '127.0.0.1')).toEqual({
      ok: false,
      status: 421,
      error: 'Host: "evil.example:9464" is not a loopback name (use localhost, 127.0.0.1 or [::1])',
    });
    for (const host of [
      '127.0.0.1.nip.io',
      'localhost.evil.example',
      '0.0.0.0:9464',
      '[::1]x',
      `${'a'.repeat(300)}\u0000`,
    ]) {
      expect([host, checkHost(host, '::1').ok]).toEqual([host, false]);
    }
    expect((checkHost(`é${'a'.repeat(300)}`, 'localhost') as { error: string }).error.length).toBeLessThan(140);
  });

  it('accepts any Host on a non-loopback bind, and a missing Host', () => {
    expect(checkHost('evil.example', '0.0.0.0')).toEqual({ ok: true });
    expect(checkHost(undefined, '127.0.0.1')).toEqual({ ok: true });
  });
});

describe('guards on a real server', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  async function start() {
    const changes: string[] = [];
    const origin = originGuard();
    const host = hostGuard('127.0.0.1');
    server = createServer((req, res) => {
      if (!host(req, res) || !origin(req, res)) return;
      changes.push(`${req.method} ${req.url}`);
      res.writeHead(202).end();
    });
    await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, changes };
  }

  it('refuses a cross-origin text/plain POST (a CORS "simple" request) before it changes anything', async () => {
    const { base, changes } = await start();
    const res = await fetchRaw(base, '/api/runs/demo/stop', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: '{}',
    });
    expect([res.status, JSON.parse(res.body), res.headers['content-type']]).toEqual([
      403,
      { error: 'cross-origin request refused' },
      'application/json; charset=utf-8',
    ]);
    expect(changes).toEqual([]);
    const own = await fetchRaw(base, '/api/runs/demo/stop', { method: 'POST', headers: { origin: base } });
    expect(own.status).toBe(202);
    expect(changes).toEqual(['POST /api/runs/demo/stop']);
  });

  it('answers 421 to a rebound DNS name', async () => {
    const { base, changes } = await start();
    const res = await fetchRaw(base, '/api/runs', { headers: { host: 'attacker.example:9464' } });
    expect(res.status).toBe(421);
    expect(JSON.parse(res.body)).toEqual({
      error: 'Host: "attacker.example:9464" is not a loopback name (use localhost, 127.0.0.1 or [::1])',
    });
    expect(changes).toEqual([]);
  });
});
