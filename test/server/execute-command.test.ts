import { describe, expect, it } from 'vitest';
import type { InternalComponent } from '../../src/metrics/internal-component.js';
import { createCommandExecutor } from '../../src/server/execute-command.js';
import { fakeRun } from './control-api-fake.js';
import { silentLogger } from './silent-logger.js';

function setup(runs = [fakeRun('demo')]) {
  const counted: InternalComponent[] = [];
  const log = silentLogger();
  const execute = createCommandExecutor({ runs: () => runs, errors: { countError: (c) => void counted.push(c) }, log });
  return { execute, counted, log, run: runs[0] as ReturnType<typeof fakeRun> };
}

describe('createCommandExecutor', () => {
  it('sets the band and answers 200 with the new view, logging the change', async () => {
    const { execute, run, log } = setup();
    const reply = await execute({ run: 'demo', command: { type: 'band', band: { lo: 0.1, hi: 0.2 } } });
    expect(reply).toEqual({ status: 200, body: run.view() });
    expect(run.calls).toEqual(['setBand 0.1 0.2']);
    expect(log.lines.at(-1)).toMatchObject({
      msg: 'band changed through the control API',
      run: 'demo',
      band: { lo: 0.1, hi: 0.2 },
    });
  });

  it('awaits a setBand that persists before answering', async () => {
    const { execute, run } = setup();
    let persist: () => void = () => undefined;
    run.setBand = () => new Promise<void>((resolve) => (persist = resolve));
    let answered = false;
    const reply = execute({ run: 'demo', command: { type: 'band', band: { lo: 0.1, hi: 0.2 } } }).finally(
      () => (answered = true),
    );
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(answered).toBe(false);
    persist();
    expect((await reply).status).toBe(200);
  });

  it.each([
    ['pause', 'paused'],
    ['resume', 'running'],
    ['stop', 'stopped'],
  ] as const)('%s answers 202 with the view', async (action, state) => {
    const { execute, run } = setup();
    const reply = await execute({ run: 'demo', command: { type: action } });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ state });
    expect(run.calls).toEqual([action]);
  });

  it('refuses an unknown run (404), an ended one (409) and a bad name (400), changing nothing', async () => {
    const done = fakeRun('done', 'diverged');
    const { execute } = setup([done]);
    expect(await execute({ run: 'ghost', command: { type: 'stop' } })).toEqual({
      status: 404,
      body: { error: 'run: no run named "ghost"' },
    });
    expect(await execute({ run: 'done', command: { type: 'resume' } })).toEqual({
      status: 409,
      body: { error: 'run: "done" is diverged and takes no more changes' },
    });
    expect((await execute({ run: '../x', command: { type: 'stop' } })).status).toBe(400);
    expect(done.calls).toEqual([]);
  });

  it('turns a throwing or rejecting handle into a bare 500, counted as api and logged', async () => {
    const { execute, run, counted, log } = setup();
    run.pause = () => {
      throw new Error('boom');
    };
    run.setBand = () => Promise.reject(new Error('disk full'));
    expect(await execute({ run: 'demo', command: { type: 'pause' } })).toEqual({
      status: 500,
      body: { error: 'internal error' },
    });
    expect(await execute({ run: 'demo', command: { type: 'band', band: { lo: 0.1, hi: 0.2 } } })).toEqual({
      status: 500,
      body: { error: 'internal error' },
    });
    expect(counted).toEqual(['api', 'api']);
    expect(log.lines.filter((l) => l.msg === 'control API command failed')).toHaveLength(2);
  });
});
