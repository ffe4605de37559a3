import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { InternalComponent } from '../../src/metrics/internal-component.js';
import { createApp } from '../../src/server/create-app.js';
import { createControlApi } from '../../src/server/control-api.js';
import { startFrontServer, type FrontServerOptions } from '../../src/server/start-front-server.js';
import { UserError } from '../../src/core/user-error.js';
import { fakeRun } from './control-api-fake.js';
import { silentLogger } from './silent-logger.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const TOKEN = 'front-test-token-0123456789';
/** Worker threads alive in this process, as the diagnostic report lists them. */
const workers = (): number => (process.report.getReport() as { workers: unknown[] }).workers.length;

/** A front server over a registry with one counter and the control API of a fake run. */
async function setup(options: Partial<FrontServerOptions> = {}) {
  const registry = new Registry();
  const counter = new Counter({ name: 'lossband_front_test_total', help: 'test', registers: [registry] });
  const run = fakeRun('demo');
  const counted: InternalComponent[] = [];
  const errors = { countError: (c: InternalComponent) => void counted.push(c) };
  const log = silentLogger();
  const routes = [{ path: '/api', router: createControlApi({ runs: () => [run], token: TOKEN, errors, log }) }];
  const server = await startFrontServer({
    app: createApp({ registry, routes, errors, log }),
    registry,
    ephemeral: true,
    portExplicit: true,
    errors,
    log,
    ...options,
  });
  if (server === undefined) throw new Error('expected a server');
  cleanup.push(() => server.close());
  return { server, registry, counter, run, counted, log };
}

/** Occupies a loopback port so the front finds it busy. */
async function occupy(): Promise<number> {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  return (blocker.address() as AddressInfo).port;
}

/**
 * A client on its own thread. Once the main thread sets flag 0 (and starts blocking), it
 * GETs `paths` in turn, records each answer, sets flag 1, and then sends `GET /api/runs`,
 * setting flag 2 when that answer arrives.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const flags = new Int32Array(workerData.flags);
parentPort.postMessage('ready');
Atomics.wait(flags, 0, 0);
(async () => {
  const answers = {};
  for (const path of workerData.paths) {
    const t0 = performance.now();
    const res = await fetch(workerData.url + path);
    answers[path] = { status: res.status, body: await res.text(), ms: performance.now() - t0 };
  }
  const api = fetch(workerData.url + '/api/runs').then(async (res) => ({ status: res.status, body: await res.text() }));
  Atomics.store(flags, 1, 1);
  answers.api = await api;
  Atomics.store(flags, 2, 1);
  parentPort.postMessage(answers);
})().catch((err) => parentPort.postMessage({ error: String(err) }));
`;

interface Answer {
  status: number;
  body: string;
  ms: number;
}

describe('startFrontServer', () => {
  it('answers /metrics, /healthz and /readyz while the main thread is blocked; /api waits for it', async () => {
    const { server, counter } = await setup();
    expect(server.mode).toBe('worker');
    counter.inc(7);
    await server.flush();
    counter.inc(1000); // not published: the front serves the snapshot

    const flags = new Int32Array(new SharedArrayBuffer(12));
    const paths = ['/metrics', '/healthz', '/readyz'];
    const client = new Worker(CLIENT, { eval: true, workerData: { url: server.url, flags: flags.buffer, paths } });
    cleanup.push(async () => void (await client.terminate()));
    await once(client, 'message');

    // Block the main thread, as a synchronous epoch does, until the client has its answers.
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    const t0 = performance.now();
    while (Atomics.load(flags, 1) === 0 && performance.now() - t0 < 20_000) {
      // spin: nothing on this thread runs, so nothing here can answer a request
    }
    const answeredWhileBlocked = Atomics.load(flags, 1) === 1;
    const apiAnsweredWhileBlocked = Atomics.load(flags, 2) === 1;
    expect(answeredWhileBlocked).toBe(true);
    expect(apiAnsweredWhileBlocked).toBe(false);

    const [answers] = (await once(client, 'message')) as [Record<string, Answer>];
    expect(answers['/metrics']?.status).toBe(200);
    expect(answers['/metrics']?.body).toContain('lossband_front_test_total 7');
    expect(answers['/healthz']).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(answers['/readyz']).toMatchObject({ status: 200, body: '{"status":"ready"}' });
    expect(answers.api?.status).toBe(200);
    expect(JSON.parse(answers.api?.body ?? '[]')).toMatchObject([{ run: 'demo' }]);
  });

  it('serves the latest snapshot after publish() and flush(), and readiness as it changes', async () => {
    let ready = false;
    const { server, counter } = await setup({ isReady: () => ready, publishIntervalMs: 60_000 });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    ready = true;
    server.publish(); // too soon for a render, but readiness goes at once
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    counter.inc(2);
    await server.flush();
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toBe(new Registry().contentType);
    expect(await res.text()).toContain('lossband_front_test_total 2');
  });

  it('forwards the control API: status, headers, JSON errors, body limits', async () => {
    const { server, run } = await setup();
    const json = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
    const put = await fetch(`${server.url}/api/runs/demo/band`, { method: 'PUT', headers: json, body: '{"lo":0.2,"hi":0.3}' });
    expect(put.status).toBe(200);
    expect(put.headers.get('x-content-type-options')).toBe('nosniff');
    expect(run.calls).toEqual(['setBand 0.2 0.3']);
    const bad = await fetch(`${server.url}/api/runs/demo/band`, { method: 'PUT', headers: json, body: '{"lo":0.5,"hi":0.3}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^lo: /);
    const big = await fetch(`${server.url}/api/runs/demo/band`, { method: 'PUT', headers: json, body: `{"pad":"${'x'.repeat(17 * 1024)}"}` });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'body: larger than 16384 bytes' });
    const unauth = await fetch(`${server.url}/api/runs/demo/stop`, { method: 'POST' });
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('www-authenticate')).toMatch(/^Bearer /);
    await unauth.text();
    expect(run.calls).toEqual(['setBand 0.2 0.3']);
  });

  it('forwards over kept-alive connections, so a request costs the main thread no accept', async () => {
    const registry = new Registry();
    const app = createApp({ registry });
    const sockets = new Set<unknown>();
    const server = await startFrontServer({
      app: (req, res) => {
        sockets.add(req.socket);
        app(req, res);
      },
      registry,
      ephemeral: true,
      portExplicit: true,
      log: silentLogger(),
    });
    if (server === undefined) throw new Error('expected a server');
    cleanup.push(() => server.close());
    for (let i = 0; i < 5; i++) expect((await fetch(`${server.url}/no/such/route`)).status).toBe(404);
    expect(sockets.size).toBe(1);
  });

  it('answers unknown routes with the app\'s 404, and other spellings of /metrics from the app', async () => {
    const { server, counter } = await setup();
    const missing = await fetch(`${server.url}/no/such/route`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found' });
    counter.inc(5); // the app renders live, unlike the snapshot
    expect(await (await fetch(`${server.url}/metrics/`)).text()).toContain('lossband_front_test_total 5');
  });

  it('resolves undefined with a warning when the default port is busy', async () => {
    const port = await occupy();
    const log = silentLogger();
    const before = workers();
    const registry = new Registry();
    await expect(startFrontServer({ app: createApp({ registry }), registry, port, portExplicit: false, log })).resolves.toBeUndefined();
    expect(log.lines.find((l) => l.level === 40)?.msg).toBe(`port ${port} on 127.0.0.1 is busy; continuing without the metrics server`);
    expect(workers()).toBe(before);
  });

  it('rejects with a one-line UserError naming an explicitly requested busy port', async () => {
    const port = await occupy();
    const registry = new Registry();
    const error = await startFrontServer({ app: createApp({ registry }), registry, port, portExplicit: true, log: silentLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`port ${port} on 127.0.0.1 is already in use`);
    expect((error as UserError).exitCode).toBe(2);
  });

  it('rejects an unbindable host with a UserError naming it, and invalid ports naming the value', async () => {
    const registry = new Registry();
    const app = createApp({ registry });
    const error = await startFrontServer({ app, registry, host: '203.0.113.1', ephemeral: true, portExplicit: false, log: silentLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^cannot listen on 203\.0\.113\.1:\d+: EADDRNOTAVAIL$/);
    await expect(startFrontServer({ app, registry, port: 0, portExplicit: true, log: silentLogger() })).rejects.toThrow('Invalid port: 0');
    await expect(startFrontServer({ app, registry, port: 70000, portExplicit: true, log: silentLogger() })).rejects.toThrow('Invalid port: 70000');
    await expect(startFrontServer({ app, registry, ephemeral: true, portExplicit: true, publishIntervalMs: 0, log: silentLogger() })).rejects.toThrow('Invalid publishIntervalMs: 0');
    await expect(startFrontServer({ app, registry, ephemeral: true, portExplicit: true, forwardTimeoutMs: -5, log: silentLogger() })).rejects.toThrow('Invalid forwardTimeoutMs: -5');
  });

  it('closes promptly with keep-alive and in-flight requests open, ending the thread and both servers', async () => {
    const workersBefore = workers();
    const { server } = await setup();
    expect(workers()).toBe(workersBefore + 1);
    expect((await fetch(`${server.internalUrl}/healthz`)).status).toBe(200);
    await (await fetch(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } })).text();
    // Forwarded and never finished: the main thread's app waits for the rest of the body.
    const hanging = request(`${server.url}/api/runs/demo/band`, { method: 'PUT', headers: { 'content-length': '100', 'content-type': 'application/json' } });
    hanging.on('error', () => undefined);
    hanging.write('{');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await server.close(); // idempotent
    expect(workers()).toBe(workersBefore);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    await expect(fetch(`${server.internalUrl}/healthz`)).rejects.toThrow();
  });

  it('serves from the main thread, counted and logged, when the thread cannot start in time', async () => {
    const { server, counted, log } = await setup({ startTimeoutMs: 1 });
    expect(server.mode).toBe('main');
    expect(server.internalUrl).toBeUndefined();
    expect(counted).toEqual(['server']);
    expect(log.lines.some((l) => l.level === 50 && String(l.msg).startsWith('the metrics server thread did not start'))).toBe(true);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain('lossband_front_test_total 0');
    server.publish();
    await server.flush();
  });
});
