import { Router } from 'express';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { LossbandMetrics } from '../../src/metrics/lossband-metrics.js';
import { createApp, type AppOptions } from '../../src/server/create-app.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { makeEvent } from '../metrics/make-event.js';
import { silentLogger } from './silent-logger.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: AppOptions): Promise<string> {
  const server = await startServer({ app: createApp(options), ephemeral: true, portExplicit: true, log: silentLogger() });
  if (server === undefined) throw new Error('no server');
  servers.push(server);
  return server.url;
}

describe('createApp', () => {
  it('serves the registry on /metrics with its content type', async () => {
    const registry = new Registry();
    const metrics = new LossbandMetrics(registry, { run: 'r1' });
    metrics.recordEpoch(makeEvent({ loss: 0.37 }));
    const url = await serve({ registry });
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    expect(res.headers.get('x-powered-by')).toBeNull();
    const body = await res.text();
    expect(body).toContain('# TYPE lossband_training_loss gauge');
    expect(body).toContain('lossband_training_loss{run="r1"} 0.37');
  });

  it('answers /healthz always and /readyz only once ready', async () => {
    let ready = false;
    const url = await serve({ registry: new Registry(), isReady: () => ready });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const before = await fetch(`${url}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.json()).toEqual({ status: 'starting' });
    ready = true;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('answers unknown routes with a 404 JSON body', async () => {
    const url = await serve({ registry: new Registry() });
    const res = await fetch(`${url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: 'not found' });
  });

  it('mounts extra routers before the 404 handler', async () => {
    const router = Router();
    router.get('/status', (_req, res) => {
      res.json({ sigma: 0.2 });
    });
    const url = await serve({ registry: new Registry(), routes: [{ path: '/api', router }] });
    expect(await (await fetch(`${url}/api/status`)).json()).toEqual({ sigma: 0.2 });
    expect((await fetch(`${url}/api/other`)).status).toBe(404);
  });

  it('turns a failing scrape into a bare 500 that is counted, with no stack or path', async () => {
    const registry = new Registry();
    const metrics = new LossbandMetrics(registry, { run: 'r1' });
    const broken = new Registry();
    broken.metrics = () => Promise.reject(new Error(`boom at ${import.meta.url}`));
    const url = await serve({ registry: broken, errors: metrics });
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ error: 'internal error' });
    expect(body).not.toMatch(/boom|file:|\/work\/|at /);
    expect(await registry.metrics()).toContain('lossband_internal_errors_total{run="r1",component="server"} 1');
  });

  it('answers a malformed request with a 4xx JSON body and no stack', async () => {
    const url = await serve({ registry: new Registry() });
    const res = await fetch(`${url}/%E0%A4%A`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await res.text()).not.toMatch(/at |node_modules|\/work\//);
  });
});
