import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPortDispatch } from '../../src/server/port-dispatch.js';
import type { CommandRequest } from '../../src/server/run-command.js';

afterEach(() => {
  vi.useRealTimers();
});

const pause: CommandRequest = { run: 'demo', command: { type: 'pause' } };

/** A port dispatch on a manual clock, recording what it sends. */
function setup(timeoutMs = 1000) {
  vi.useFakeTimers();
  const sent: Array<{ id: number; request: CommandRequest; deadline: number }> = [];
  const remote = createPortDispatch({
    send: (id, request, deadline) => void sent.push({ id, request, deadline }),
    timeoutMs,
    now: () => Date.now(),
  });
  return { remote, sent };
}

describe('createPortDispatch', () => {
  it('sends each command with its own id and deadline, and resolves it with the reply of that id', async () => {
    const { remote, sent } = setup();
    const first = remote.dispatch(pause);
    const second = remote.dispatch({ run: 'demo', command: { type: 'band', band: { lo: 0.1, hi: 0.2 } } });
    expect(sent.map((s) => s.id)).toEqual([1, 2]);
    expect(sent[0]?.deadline).toBe(Date.now() + 1000);
    remote.receive(2, { status: 200, body: 'band' });
    remote.receive(1, { status: 202, body: 'paused' });
    await expect(second).resolves.toEqual({ status: 200, body: 'band' });
    await expect(first).resolves.toEqual({ status: 202, body: 'paused' });
  });

  it('answers 503 once the deadline has passed, and ignores a late reply', async () => {
    const { remote, sent } = setup(500);
    let settled = false;
    const reply = remote.dispatch(pause).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(await reply).toEqual({
      status: 503,
      body: { error: 'run: the training thread did not answer within 500 ms; read the run before retrying' },
    });
    expect(Date.now()).toBeGreaterThan(sent[0]?.deadline ?? Infinity);
    remote.receive(1, { status: 202, body: 'too late' });
  });

  it('never answers 503 while the shared clock is not yet past the deadline', async () => {
    vi.useFakeTimers();
    let clock = 0;
    const sent: number[] = [];
    const remote = createPortDispatch({
      send: (_id, _r, deadline) => void sent.push(deadline),
      timeoutMs: 100,
      now: () => clock,
    });
    let settled = false;
    const reply = remote.dispatch(pause).finally(() => (settled = true));
    clock = 100; // the timer fires while the wall clock says exactly the deadline
    await vi.advanceTimersByTimeAsync(100);
    expect(settled).toBe(false);
    clock = 101;
    await vi.advanceTimersByTimeAsync(1);
    expect((await reply).status).toBe(503);
    expect(sent).toEqual([100]);
  });

  it('answers every waiting command with 503 on close', async () => {
    const { remote } = setup();
    const waiting = [remote.dispatch(pause), remote.dispatch(pause)];
    remote.close();
    expect(await Promise.all(waiting)).toEqual([
      { status: 503, body: { error: 'run: the server is closing' } },
      { status: 503, body: { error: 'run: the server is closing' } },
    ]);
  });
});
