import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { PointThread } from '../../src/sweep/point-thread.js';
import type { PostedRun } from '../../src/sweep/sweep-protocol.js';
import { silentLogger } from '../server/silent-logger.js';

const config = resolveConfig([{ name: 'pt-0', epochs: 5 }], new Date(0));

/**
 * Real threads standing in for the point worker: `behaviour` runs inside on each `run`
 * message, with `m` the message and `port` the parent port.
 */
function threadOf(behaviour: string) {
  let started = 0;
  const runs: PostedRun[][] = [];
  const log = silentLogger();
  const thread = new PointThread({
    log,
    onRuns: (r) => runs.push([...r]),
    start: () => {
      started += 1;
      return new Worker(
        `const { parentPort: port } = require('node:worker_threads');
         port.on('message', (m) => {
           if (m.type === 'close') return port.close();
           if (m.type === 'command') {
             port.postMessage({ type: 'update', metrics: [], runs: [{ view: { run: m.run, state: m.action }, lastEvent: undefined }] });
             return port.postMessage({ type: 'applied', id: m.id, applied: m.action !== 'stop' });
           }
           ${behaviour}
         });`,
        { eval: true },
      );
    },
  });
  return { thread, runs, log, started: () => started };
}

describe('PointThread', () => {
  it('resolves with the worker’s result and keeps its last posted series and views', async () => {
    const { thread, runs } = threadOf(`
      port.postMessage({ type: 'update', metrics: [{ name: 'lossband_x', help: 'x', type: 'gauge', aggregator: 'sum', values: [{ value: 1, labels: { run: m.config.name } }] }], runs: [{ view: { run: m.config.name, state: 'finished' } }] });
      port.postMessage({ type: 'done', run: m.config.name, result: { kind: 'ended' } });`);
    await expect(thread.run(config, false)).resolves.toEqual({ kind: 'ended' });
    expect(thread.metrics?.[0]?.values[0]?.labels).toEqual({ run: 'pt-0' });
    expect(runs.at(-1)?.[0]?.view).toEqual({ run: 'pt-0', state: 'finished' });
    await thread.close();
  });

  it('forwards a control request to the thread', async () => {
    const { thread, runs } = threadOf(`port.postMessage({ type: 'update', metrics: [], runs: [] });`);
    const done = thread.run(config, false);
    while (runs.length === 0) await new Promise((r) => setImmediate(r)); // the thread is up
    await expect(thread.command('pt-0', { action: 'pause' })).resolves.toBe(true);
    expect(runs.at(-1)?.[0]?.view).toEqual({ run: 'pt-0', state: 'pause' });
    await expect(thread.command('pt-0', { action: 'stop' })).resolves.toBe(false);
    await thread.close();
    await expect(done).resolves.toMatchObject({ kind: 'threw' }); // closed while the point was in flight
  });

  it('answers false for a request to a thread that is not running, or that dies before it answers', async () => {
    const idle = threadOf('');
    await expect(idle.thread.command('pt-0', { action: 'pause' })).resolves.toBe(false);
    const { thread } = threadOf(
      `port.removeAllListeners('message'); port.on('message', () => process.exit(3)); port.postMessage({ type: 'update', metrics: [], runs: [] });`,
    );
    const done = thread.run(config, false);
    // The thread exits on the request instead of answering it.
    await expect(thread.command('pt-0', { action: 'band', band: { lo: 0.1, hi: 0.2 } })).resolves.toBe(false);
    await expect(done).resolves.toMatchObject({
      kind: 'threw',
      message: 'the worker thread training it ended (exit code 3)',
    });
  });

  it('fails the point of a thread that dies, and starts a new thread for the next point', async () => {
    const { thread, started, log } = threadOf(`
      if (m.resume) port.postMessage({ type: 'done', run: m.config.name, result: { kind: 'ended' } });
      else process.exit(7);`);
    await expect(thread.run(config, false)).resolves.toEqual({
      kind: 'threw',
      message: 'the worker thread training it ended (exit code 7)',
      exitCode: undefined,
    });
    expect(thread.metrics).toBeUndefined();
    await expect(thread.run(config, true)).resolves.toEqual({ kind: 'ended' });
    expect(started()).toBe(2);
    await thread.close();
    expect(log.lines).toEqual([]);
  });

  it('fails the point of a thread that throws, with the error', async () => {
    const { thread, log } = threadOf(`throw new Error('plant exploded');`);
    const result = await thread.run(config, false);
    expect(result).toEqual({
      kind: 'threw',
      message: 'the worker thread training it ended (plant exploded)',
      exitCode: undefined,
    });
    expect(log.lines.map((l) => l.msg)).toEqual(["a sweep's worker thread failed"]);
  });

  it('refuses a second point while one is in flight', async () => {
    const { thread } = threadOf(
      `setTimeout(() => port.postMessage({ type: 'done', run: m.config.name, result: { kind: 'ended' } }), 10);`,
    );
    const first = thread.run(config, false);
    expect(() => thread.run(config, false)).toThrow('PointThread.run: pt-0 is still running');
    await first;
    await thread.close();
  });
});
