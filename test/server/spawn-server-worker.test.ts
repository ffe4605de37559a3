import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FromServer, ServerWorkerData, ToServer } from '../../src/server/server-protocol.js';
import { spawnServerWorker } from '../../src/server/spawn-server-worker.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const workers = (): number => (process.report.getReport() as { workers: unknown[] }).workers.length;

const RUN = {
  run: 'demo',
  state: 'running',
  epoch: 1,
  epochs: 0,
  band: { lo: 0.3, hi: 0.4 },
  sigma: 0.1,
  draws: 1,
  controller: 'pid',
  backend: 'js',
} as const;
const data = (port = 0): ServerWorkerData => ({
  lossbandServer: true,
  host: '127.0.0.1',
  port,
  state: {
    version: 1,
    ready: true,
    metrics: { text: 'lossband_x 1\n', contentType: 'text/plain' },
    runs: [{ view: RUN, lastEvent: null }],
  },
  token: 'spawn-test-token-0123456789',
  advertise: undefined,
  dispatchTimeoutMs: 10_000,
  timeouts: {},
});

describe('spawnServerWorker', () => {
  it('starts the thread listening on its initial state, speaks the protocol, and ends it on close', async () => {
    const before = workers();
    const start = await spawnServerWorker(data(), 10_000);
    if (start.kind !== 'listening') throw new Error(`expected listening, got ${start.kind}`);
    const { worker } = start;
    const exited = once(worker, 'exit');
    cleanup.push(async () => void (await worker.terminate()));
    const url = `http://127.0.0.1:${start.port}`;
    const messages: FromServer[] = [];
    worker.on('message', (m: FromServer) => {
      messages.push(m);
      // The main thread's side of a command: answer it.
      if (m.type === 'command')
        worker.postMessage({
          type: 'reply',
          id: m.id,
          reply: { status: 202, body: { echoed: m.request } },
        } satisfies ToServer);
    });

    expect(await (await fetch(`${url}/metrics`)).text()).toBe('lossband_x 1\n');
    const put = await fetch(`${url}/api/runs/demo/pause`, {
      method: 'POST',
      headers: { authorization: 'Bearer spawn-test-token-0123456789' },
    });
    expect([put.status, await put.json()]).toEqual([202, { echoed: { run: 'demo', command: { type: 'pause' } } }]);
    expect(messages.find((m) => m.type === 'scraped')).toEqual({ type: 'scraped', version: 1 });
    const command = messages.find((m) => m.type === 'command');
    expect(command?.type === 'command' && command.deadline).toBeGreaterThan(Date.now());

    worker.postMessage({
      type: 'state',
      state: { ...data().state, version: 2, ready: false, metrics: null },
    } satisfies ToServer);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    worker.postMessage({ type: 'close' } satisfies ToServer);
    expect(await exited).toEqual([0]);
    expect(workers()).toBe(before);
  });

  it('reports a busy port as bind-failed, with the thread ended', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const before = workers();
    const start = await spawnServerWorker(data((blocker.address() as AddressInfo).port), 10_000);
    expect(start).toEqual({ kind: 'bind-failed', code: 'EADDRINUSE' });
    expect(workers()).toBe(before);
  });

  it('reports a thread that does not listen in time as failed, and terminates it', async () => {
    const before = workers();
    const start = await spawnServerWorker(data(), 1);
    expect(start.kind).toBe('failed');
    expect(workers()).toBe(before);
  });
});
