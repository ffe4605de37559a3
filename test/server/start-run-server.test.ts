import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/user-error.js';
import type { InternalComponent } from '../../src/metrics/internal-component.js';
import { startRunServer, type RunServerOptions } from '../../src/server/start-run-server.js';
import { fakeRun, MODES, type FakeRun, type Mode } from './control-api-fake.js';
import { silentLogger } from './silent-logger.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const TOKEN = 'run-server-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json', ...auth };
/** Worker threads alive in this process, as the diagnostic report lists them. */
const workers = (): number => (process.report.getReport() as { workers: unknown[] }).workers.length;

/** A run server in `mode` over a registry with one counter, steering `runs` (one fake run by default). */
async function setup(mode: Mode, options: Partial<RunServerOptions> = {}, runs: FakeRun[] = [fakeRun('demo')]) {
  const registry = new Registry();
  const counter = new Counter({ name: 'lossband_run_server_test_total', help: 'test', registers: [registry] });
  const counted: InternalComponent[] = [];
  const log = silentLogger();
  const holder = { runs };
  const server = await startRunServer({
    registry,
    runs: () => holder.runs,
    token: TOKEN,
    mode,
    ephemeral: true,
    portExplicit: true,
    errors: { countError: (c) => void counted.push(c) },
    log,
    ...options,
  });
  if (server === undefined) throw new Error('expected a server');
  cleanup.push(() => server.close());
  return { server, registry, counter, holder, run: runs[0] as FakeRun, counted, log };
}

/** Occupies a loopback port so the server finds it busy. */
async function occupy(): Promise<number> {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  return (blocker.address() as AddressInfo).port;
}

/** GET `path` with a `Host` header of our choosing (fetch will not send one). */
function getWithHost(url: string, path: string, host: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers: { host } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Opens a raw connection, sends `bytes` and never more, and resolves once the server closes
 * it: with what it answered, or `'still open'` if it has not closed it within `boundMs`.
 */
async function stall(port: number, bytes: string, boundMs = 20_000): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  cleanup.push(async () => void socket.destroy());
  await once(socket, 'connect');
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(bytes);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still open'), boundMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

describe.each(MODES)('startRunServer, %s mode', (mode) => {
  it(`runs in ${mode} mode`, async () => {
    const before = workers();
    const { server } = await setup(mode);
    expect(server.mode).toBe(mode);
    expect(workers()).toBe(before + (mode === 'worker' ? 1 : 0));
  });

  it("serves /metrics from the last snapshot with the registry's content type, not the live registry", async () => {
    const { server, counter, registry } = await setup(mode, { publishIntervalMs: 60_000 });
    counter.inc(7);
    await server.flush();
    counter.inc(1000);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    expect(await res.text()).toContain('lossband_run_server_test_total 7\n');
    await server.flush();
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain('lossband_run_server_test_total 1007\n');
  });

  it('posts readiness at once on publish(), and the runs after a change, ahead of its answer', async () => {
    let ready = false;
    const { server, run } = await setup(mode, { isReady: () => ready, publishIntervalMs: 60_000 });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    ready = true;
    server.publish(); // too soon for a render, but readiness goes at once
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const put = await fetch(`${server.url}/api/runs/demo/band`, {
      method: 'PUT',
      headers: json,
      body: '{"lo":0.2,"hi":0.3}',
    });
    expect(put.status).toBe(200);
    expect(run.calls).toEqual(['setBand 0.2 0.3']);
    const view = (await (await fetch(`${server.url}/api/runs/demo`)).json()) as { band: unknown };
    expect(view.band).toEqual({ lo: 0.2, hi: 0.3 });
  });

  it('decides a change against the run as it is now: 404 once it is gone, 409 once it has ended', async () => {
    const { server, run, holder } = await setup(mode, { publishIntervalMs: 60_000 });
    holder.runs = []; // the snapshot still lists it
    const gone = await fetch(`${server.url}/api/runs/demo/band`, {
      method: 'PUT',
      headers: json,
      body: '{"lo":0.2,"hi":0.3}',
    });
    expect([gone.status, await gone.json()]).toEqual([404, { error: 'run: no run named "demo"' }]);
    holder.runs = [run];
    await server.flush();
    run.state = 'finished'; // the snapshot still says running
    const ended = await fetch(`${server.url}/api/runs/demo/pause`, { method: 'POST', headers: auth });
    expect([ended.status, await ended.json()]).toEqual([
      409,
      { error: 'run: "demo" is finished and takes no more changes' },
    ]);
    expect(run.calls).toEqual([]);
  });

  it('answers a band change only once setBand has settled (the band is persisted before the 200)', async () => {
    const { server, run } = await setup(mode);
    let persist: () => void = () => undefined;
    const called = new Promise<void>((resolve) => {
      run.setBand = (band) => {
        run.calls.push(`setBand ${band.lo} ${band.hi}`);
        resolve();
        return new Promise<void>((done) => (persist = done));
      };
    });
    let answered = false;
    const put = fetch(`${server.url}/api/runs/demo/band`, {
      method: 'PUT',
      headers: json,
      body: '{"lo":0.2,"hi":0.3}',
    }).finally(() => (answered = true));
    await called;
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200); // a full round trip on the same server
    expect(answered).toBe(false);
    persist();
    expect((await put).status).toBe(200);
    expect(run.calls).toEqual(['setBand 0.2 0.3']);
  });

  it('lists itself on /api/sd by Host while a run is live, and [] once every run has ended', async () => {
    const runs = [fakeRun('b-run'), fakeRun('a-run', 'paused'), fakeRun('old', 'finished')];
    // Bound beyond loopback, as behind compose or Kubernetes: any Host may name the server.
    const { server } = await setup(mode, { host: '0.0.0.0' }, runs);
    const sd = await getWithHost(server.url, '/api/sd', 'trainer-0.lossband:9464');
    expect(sd).toEqual({
      status: 200,
      body: [
        {
          targets: ['trainer-0.lossband:9464'],
          labels: { __meta_lossband_runs: 'a-run,b-run', __meta_lossband_live_runs: '2' },
        },
      ],
    });
    expect((await getWithHost(server.url, '/api/sd', 'evil.example/x')).status).toBe(400);
    runs[0]?.stop();
    runs[1]?.stop();
    await server.flush();
    expect(await getWithHost(server.url, '/api/sd', 'trainer-0.lossband:9464')).toEqual({ status: 200, body: [] });
  });

  it('on a loopback bind, refuses a Host that is not loopback (DNS rebinding; issue 11, item 18)', async () => {
    const { server } = await setup(mode);
    expect((await getWithHost(server.url, '/api/runs', 'rebound.example:9464')).status).toBe(421);
  });

  it('lists the advertised address on /api/sd whatever the Host, and cuts a long run list', async () => {
    const runs = Array.from({ length: 25 }, (_, i) => fakeRun(`r${String(i).padStart(2, '0')}`));
    const { server } = await setup(mode, { advertise: 'lossband.example:9464', host: '0.0.0.0' }, runs);
    const { body } = await getWithHost(server.url, '/api/sd', 'not a host');
    const [group] = body as Array<{ targets: string[]; labels: Record<string, string> }>;
    expect(group?.targets).toEqual(['lossband.example:9464']);
    expect(group?.labels.__meta_lossband_runs).toBe(
      `${runs
        .slice(0, 20)
        .map((r) => r.run)
        .join(',')},+5 more`,
    );
    expect(group?.labels.__meta_lossband_live_runs).toBe('25');
  });

  it('lingers until a scrape served the final snapshot; at once without a scraper; else until the timeout', async () => {
    const never = await setup(mode);
    expect(await never.server.lingerUntilScraped(60_000)).toBe('no-scraper');

    const { server, counter } = await setup(mode);
    expect(server.scrapedVersion).toBe(0);
    await (await fetch(`${server.url}/metrics`)).text();
    // The server thread reports the scrape by message; wait for it to arrive.
    for (let i = 0; i < 10_000 && server.scrapedVersion === 0; i++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(server.scrapedVersion).toBeGreaterThan(0);
    counter.inc(42); // the final state
    let outcome: string | undefined;
    const lingering = server.lingerUntilScraped(60_000).then((o) => (outcome = o));
    let last = '';
    for (let i = 0; i < 1000 && outcome === undefined; i++) last = await (await fetch(`${server.url}/metrics`)).text();
    await lingering;
    expect(outcome).toBe('scraped');
    expect(last).toContain('lossband_run_server_test_total 42\n');

    expect(await server.lingerUntilScraped(50)).toBe('timeout'); // nobody scrapes any more
  });

  it('drops a client that announces a body, sends one byte and stalls, once the request timeout passes', async () => {
    const { server, run } = await setup(mode, { timeouts: { headersTimeoutMs: 200, requestTimeoutMs: 200 } });
    const head = `PUT /api/runs/demo/band HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 1000\r\n\r\n`;
    const answer = await stall(server.port, `${head}{`);
    expect(answer).not.toBe('still open');
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
    expect(run.calls).toEqual([]);
  });

  it('drops a client that never finishes its headers, once the headers timeout passes', async () => {
    const { server } = await setup(mode, { timeouts: { headersTimeoutMs: 200, requestTimeoutMs: 200 } });
    const answer = await stall(server.port, 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(answer).not.toBe('still open');
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('answers /metrics with a bare 500 after a failed render, counted as metrics', async () => {
    const { server, registry, counted } = await setup(mode);
    registry.metrics = () => Promise.reject(new Error(`boom at ${import.meta.url}`));
    await server.flush();
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('{"error":"internal error"}');
    // Once per failed render: the publisher's timer may render again while the request is served.
    expect(counted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(counted)).toEqual(new Set(['metrics']));
  });

  it('resolves undefined with a warning when the default port is busy, leaving no thread behind', async () => {
    const port = await occupy();
    const log = silentLogger();
    const before = workers();
    await expect(
      startRunServer({ registry: new Registry(), mode, port, portExplicit: false, log }),
    ).resolves.toBeUndefined();
    expect(log.lines.find((l) => l.level === 40)?.msg).toBe(
      `port ${port} on 127.0.0.1 is busy; continuing without the metrics server`,
    );
    expect(workers()).toBe(before);
  });

  it('rejects with a one-line UserError naming an explicitly requested busy port or an unbindable host', async () => {
    const port = await occupy();
    const busy = await startRunServer({
      registry: new Registry(),
      mode,
      port,
      portExplicit: true,
      log: silentLogger(),
    }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(UserError);
    expect((busy as UserError).message).toBe(`port ${port} on 127.0.0.1 is already in use`);
    expect((busy as UserError).exitCode).toBe(2);
    const host = await startRunServer({
      registry: new Registry(),
      mode,
      host: '203.0.113.1',
      ephemeral: true,
      portExplicit: false,
      log: silentLogger(),
    }).catch((e: unknown) => e);
    expect(host).toBeInstanceOf(UserError);
    expect((host as UserError).message).toMatch(/^cannot listen on 203\.0\.113\.1:\d+: EADDRNOTAVAIL$/);
  });

  it('refuses invalid options, naming the value', async () => {
    const base = { registry: new Registry(), mode, portExplicit: true, log: silentLogger() };
    await expect(startRunServer({ ...base, port: 0 })).rejects.toThrow('Invalid port: 0');
    await expect(startRunServer({ ...base, port: 70000 })).rejects.toThrow('Invalid port: 70000');
    await expect(startRunServer({ ...base, ephemeral: true, publishIntervalMs: 0 })).rejects.toThrow(
      'Invalid publishIntervalMs: 0',
    );
    await expect(startRunServer({ ...base, ephemeral: true, dispatchTimeoutMs: -5 })).rejects.toThrow(
      'Invalid dispatchTimeoutMs: -5',
    );
    await expect(startRunServer({ ...base, ephemeral: true, timeouts: { requestTimeoutMs: 0 } })).rejects.toThrow(
      'Invalid requestTimeoutMs: 0',
    );
    await expect(
      startRunServer({ ...base, ephemeral: true, timeouts: { socketTimeoutMs: 1000 }, dispatchTimeoutMs: 1000 }),
    ).rejects.toThrow('Invalid socketTimeoutMs: 1000 (expected more than dispatchTimeoutMs, 1000)');
    await expect(startRunServer({ ...base, ephemeral: true, advertise: 'a/b' })).rejects.toThrow(
      'Invalid advertise address',
    );
  });

  it('closes promptly with keep-alive and half-sent requests open, ending its thread', async () => {
    const before = workers();
    const { server } = await setup(mode);
    await (await fetch(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } })).text();
    const hanging = request(`${server.url}/api/runs/demo/band`, {
      method: 'PUT',
      headers: { ...json, 'content-length': '100' },
    });
    hanging.on('error', () => undefined);
    hanging.write('{');
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(5000);
    await server.close(); // idempotent
    expect(workers()).toBe(before);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

/**
 * A client on its own thread. Once the main thread sets flag 0 (and starts blocking), it GETs
 * `reads` in turn, then PUTs a band, records every answer, sets flag 1 and posts them.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const flags = new Int32Array(workerData.flags);
parentPort.postMessage('ready');
Atomics.wait(flags, 0, 0);
(async () => {
  const answers = {};
  for (const path of workerData.reads) {
    const res = await fetch(workerData.url + path);
    answers[path] = { status: res.status, body: await res.text() };
  }
  const put = await fetch(workerData.url + '/api/runs/demo/band', { method: 'PUT', headers: workerData.json, body: '{"lo":0.2,"hi":0.3}' });
  answers.put = { status: put.status, body: await put.text() };
  Atomics.store(flags, 1, 1);
  parentPort.postMessage(answers);
})().catch((err) => parentPort.postMessage({ error: String(err) }));
`;

describe('startRunServer, worker mode only', () => {
  it('answers reads while the main thread is blocked; a change it cannot take in time gets 503 and is never applied', async () => {
    const { server, counter, run } = await setup('worker', { dispatchTimeoutMs: 100 });
    counter.inc(7);
    await server.flush();
    counter.inc(1000); // not published: the thread serves the snapshot

    const flags = new Int32Array(new SharedArrayBuffer(8));
    const reads = ['/metrics', '/healthz', '/readyz', '/api/runs/demo', '/api/sd'];
    const client = new Worker(CLIENT, {
      eval: true,
      workerData: { url: server.url, flags: flags.buffer, reads, json },
    });
    cleanup.push(async () => void (await client.terminate()));
    await once(client, 'message');

    // Block the main thread, as a synchronous epoch does, until the client has every answer.
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    const t0 = performance.now();
    while (Atomics.load(flags, 1) === 0 && performance.now() - t0 < 90_000) {
      // spin: nothing on this thread runs, so nothing here can answer or apply anything
    }
    expect(Atomics.load(flags, 1)).toBe(1);
    const [answers] = (await once(client, 'message')) as [Record<string, { status: number; body: string }>];
    expect(answers['/metrics']?.status).toBe(200);
    expect(answers['/metrics']?.body).toContain('lossband_run_server_test_total 7\n');
    expect(answers['/healthz']).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect(answers['/readyz']).toEqual({ status: 200, body: '{"status":"ready"}' });
    expect(JSON.parse(answers['/api/runs/demo']?.body ?? '{}')).toMatchObject({ run: 'demo', state: 'running' });
    expect(answers['/api/sd']?.status).toBe(200);
    expect(answers.put).toEqual({
      status: 503,
      body: '{"error":"run: the training thread did not answer within 100 ms; read the run before retrying"}',
    });

    // The command reaches this thread only now, past its deadline: it is skipped.
    const after = await fetch(`${server.url}/api/runs/demo/pause`, { method: 'POST', headers: auth });
    expect(after.status).toBe(202);
    expect(run.calls).toEqual(['pause']);
  });

  it('serves from the main thread, counted and logged, when the thread cannot start in time', async () => {
    const { server, counted, log } = await setup('worker', { startTimeoutMs: 1 });
    expect(server.mode).toBe('main');
    expect(counted).toEqual(['server']);
    expect(log.lines.some((l) => l.level === 50 && String(l.msg).startsWith('the server thread did not start'))).toBe(
      true,
    );
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain('lossband_run_server_test_total 0');
  });
});
