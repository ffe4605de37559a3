import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFrontHandler, type FrontState } from '../../src/server/front-handler.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Serves a front handler whose forwarded requests answer 299 and are recorded. */
async function serve(initial: FrontState): Promise<{ url: string; forwarded: string[]; set: (s: FrontState) => void }> {
  let state = initial;
  const forwarded: string[] = [];
  const server = createServer(
    createFrontHandler({
      state: () => state,
      forward: (req, res) => {
        forwarded.push(`${req.method} ${req.url}`);
        res.writeHead(299).end('forwarded');
      },
    }),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, forwarded, set: (s) => (state = s) };
}

const snapshot = (text: string): FrontState['metrics'] => ({ body: Buffer.from(text), contentType: TYPE });

describe('createFrontHandler', () => {
  it('answers GET /metrics, with any query, from the snapshot', async () => {
    const { url, forwarded } = await serve({ ready: true, metrics: snapshot('lossband_x 1\n') });
    for (const path of ['/metrics', '/metrics?name[]=x']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(TYPE);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toBe('lossband_x 1\n');
    }
    expect(forwarded).toEqual([]);
  });

  it('answers HEAD /metrics with the headers and no body', async () => {
    const { url } = await serve({ ready: true, metrics: snapshot('lossband_x 1\n') });
    const head = await new Promise<{ status: number; length: string | undefined; body: string }>((resolve, reject) => {
      const req = request(`${url}/metrics`, { method: 'HEAD' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'], body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(head).toEqual({ status: 200, length: '13', body: '' });
  });

  it('answers /healthz always and /readyz from the published flag', async () => {
    const { url, set } = await serve({ ready: false, metrics: undefined });
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await health.json()).toEqual({ status: 'ok' });
    const starting = await fetch(`${url}/readyz`);
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({ status: 'starting' });
    set({ ready: true, metrics: undefined });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers 503 before the first snapshot and a bare 500 after a failed one', async () => {
    const { url, set } = await serve({ ready: true, metrics: undefined });
    const before = await fetch(`${url}/metrics`);
    expect(before.status).toBe(503);
    expect(await before.json()).toEqual({ error: 'metrics not published yet' });
    set({ ready: true, metrics: null });
    const failed = await fetch(`${url}/metrics`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'internal error' });
  });

  it('forwards other methods, other spellings and every other path', async () => {
    const { url, forwarded } = await serve({ ready: true, metrics: snapshot('x 1\n') });
    const cases: Array<[string, string]> = [
      ['POST', '/metrics'],
      ['OPTIONS', '/healthz'],
      ['DELETE', '/readyz'],
      ['GET', '/metrics/'],
      ['GET', '/METRICS'],
      ['GET', '/api/runs?x=1'],
      ['GET', '/'],
    ];
    for (const [method, path] of cases) {
      const res = await fetch(`${url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(299);
      await res.text();
    }
    expect(forwarded).toEqual(cases.map(([m, p]) => `${m} ${p}`));
  });
});
