import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FrontWorkerData, ToFront } from '../../src/server/front-protocol.js';
import { spawnFrontWorker } from '../../src/server/spawn-front-worker.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const workers = (): number => (process.report.getReport() as { workers: unknown[] }).workers.length;

const data = (port = 0): FrontWorkerData => ({
  lossbandFront: true,
  host: '127.0.0.1',
  port,
  upstreamPort: 9, // nothing listens: forwarded requests would get 502
  forwardTimeoutMs: 1000,
  initial: { type: 'update', ready: true, metrics: { text: 'lossband_x 1\n', contentType: 'text/plain' } },
});

describe('spawnFrontWorker', () => {
  it('starts the front thread listening with its initial state, and ends it on close', async () => {
    const before = workers();
    const start = await spawnFrontWorker(data(), 10_000);
    if (start.kind !== 'listening') throw new Error(`expected listening, got ${start.kind}`);
    const exited = once(start.worker, 'exit');
    cleanup.push(async () => void (await start.worker.terminate()));
    expect(await (await fetch(`http://127.0.0.1:${start.port}/metrics`)).text()).toBe('lossband_x 1\n');
    const update: ToFront = { type: 'update', ready: false, metrics: null };
    start.worker.postMessage(update);
    start.worker.postMessage({ type: 'close' } satisfies ToFront);
    expect(await exited).toEqual([0]);
    expect(workers()).toBe(before);
  });

  it('reports a busy port as bind-failed, with the thread ended', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const before = workers();
    const start = await spawnFrontWorker(data((blocker.address() as AddressInfo).port), 10_000);
    expect(start).toEqual({ kind: 'bind-failed', code: 'EADDRINUSE' });
    expect(workers()).toBe(before);
  });

  it('reports a thread that does not listen in time as failed, and terminates it', async () => {
    const before = workers();
    const start = await spawnFrontWorker(data(), 1);
    expect(start.kind).toBe('failed');
    expect(workers()).toBe(before);
  });
});
