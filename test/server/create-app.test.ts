import { afterEach, describe, expect, it } from 'vitest';
import type { InternalComponent } from '../../src/metrics/internal-component.js';
import { createApp, type AppOptions } from '../../src/server/create-app.js';
import type { CommandRequest } from '../../src/server/run-command.js';
import { INITIAL_STATE, type ServerState } from '../../src/server/server-state.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { fakeRun } from './control-api-fake.js';
import { silentLogger } from './silent-logger.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const TOKEN = 'create-app-token-0123456789';
const METRICS = { text: 'lossband_x{run="demo"} 1\n', contentType: 'text/plain; version=0.0.4; charset=utf-8' };

/** createApp over a state the test sets, with a dispatch that records and answers 202. */
async function serve(options: Partial<AppOptions> = {}) {
  let state: ServerState = {
    version: 3,
    ready: true,
    metrics: METRICS,
    runs: [{ view: fakeRun('demo').view(), lastEvent: null }],
  };
  const dispatched: CommandRequest[] = [];
  const counted: InternalComponent[] = [];
  const app = createApp({
    state: () => state,
    dispatch: (request) => {
      dispatched.push(request);
      return Promise.resolve({ status: 202, body: { ok: true } });
    },
    token: TOKEN,
    errors: { countError: (c) => void counted.push(c) },
    ...options,
  });
  const server = await startServer({ app, ephemeral: true, portExplicit: true, log: silentLogger() });
  if (server === undefined) throw new Error('no server');
  servers.push(server);
  return {
    url: server.url,
    dispatched,
    counted,
    set: (next: Partial<ServerState>) => void (state = { ...state, ...next }),
  };
}

describe('createApp', () => {
  it("serves the snapshot's metrics text with its content type, no-store and no x-powered-by", async () => {
    const { url } = await serve();
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(METRICS.contentType);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(await res.text()).toBe(METRICS.text);
  });

  it('answers /metrics 503 before the first snapshot and a bare 500 after a failed render', async () => {
    const { url, set } = await serve();
    set({ metrics: undefined });
    const early = await fetch(`${url}/metrics`);
    expect(early.status).toBe(503);
    expect(await early.json()).toEqual({ error: 'metrics not published yet' });
    set({ metrics: null });
    const failed = await fetch(`${url}/metrics`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'internal error' });
  });

  it('tells onScrape the version of each GET /metrics answered 200, not of HEAD or failures', async () => {
    const versions: number[] = [];
    const { url, set } = await serve({ onScrape: (v) => void versions.push(v) });
    await (await fetch(`${url}/metrics`)).text();
    await fetch(`${url}/metrics`, { method: 'HEAD' });
    set({ version: 9 });
    await (await fetch(`${url}/metrics`)).text();
    set({ version: 10, metrics: null });
    await (await fetch(`${url}/metrics`)).text();
    expect(versions).toEqual([3, 9]);
  });

  it('answers /healthz always and /readyz from the snapshot', async () => {
    const { url, set } = await serve();
    set({ ready: false });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const before = await fetch(`${url}/readyz`);
    expect([before.status, await before.json()]).toEqual([503, { status: 'starting' }]);
    set({ ready: true });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('reads runs from the snapshot and sends a validated change to dispatch', async () => {
    const { url, dispatched, set } = await serve();
    expect(await (await fetch(`${url}/api/runs`)).json()).toEqual([fakeRun('demo').view()]);
    set({ runs: [] });
    expect((await fetch(`${url}/api/runs/demo`)).status).toBe(404);
    set({ runs: [{ view: fakeRun('demo').view(), lastEvent: null }] });
    const res = await fetch(`${url}/api/runs/demo/band`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"lo":0.1,"hi":0.2}',
    });
    expect([res.status, await res.json()]).toEqual([202, { ok: true }]);
    expect(dispatched).toEqual([{ run: 'demo', command: { type: 'band', band: { lo: 0.1, hi: 0.2 } } }]);
  });

  it('runs guards in order before routing; one that answers ends the request', async () => {
    const seen: string[] = [];
    const { url, dispatched } = await serve({
      guards: [
        (req) => {
          seen.push(`first ${req.url}`);
          return true;
        },
        (req, res) => {
          seen.push(`second ${req.url}`);
          if (req.headers['x-refuse'] === undefined) return true;
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"refused"}');
          return false;
        },
      ],
    });
    const refused = await fetch(`${url}/api/runs/demo/stop`, {
      method: 'POST',
      headers: { 'x-refuse': '1', authorization: `Bearer ${TOKEN}` },
    });
    expect([refused.status, await refused.json()]).toEqual([403, { error: 'refused' }]);
    expect(dispatched).toEqual([]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(seen).toEqual([
      'first /api/runs/demo/stop',
      'second /api/runs/demo/stop',
      'first /healthz',
      'second /healthz',
    ]);
  });

  it('answers unknown routes with a 404 JSON body and a malformed path with a 4xx, no stack', async () => {
    const { url, counted } = await serve();
    const missing = await fetch(`${url}/no/such/route`);
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'not found' }]);
    const malformed = await fetch(`${url}/%E0%A4%A`);
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
    expect(await malformed.text()).not.toMatch(/at |node_modules|\/work\//);
    expect(counted).toEqual([]);
  });

  it('turns a failing state accessor into a bare 500 counted as server, with no stack or path', async () => {
    const { url, counted } = await serve({
      state: () => {
        throw new Error(`boom at ${import.meta.url}`);
      },
    });
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ error: 'internal error' });
    expect(body).not.toMatch(/boom|file:|\/work\//);
    expect(counted).toEqual(['server']);
  });

  it('starts from INITIAL_STATE: not ready, no metrics, no runs', async () => {
    const { url } = await serve({ state: () => INITIAL_STATE });
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await fetch(`${url}/metrics`)).status).toBe(503);
    expect(await (await fetch(`${url}/api/runs`)).json()).toEqual([]);
  });
});
