import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { RunProxy } from '../../src/sweep/run-proxy.js';
import type { PointCommand } from '../../src/sweep/sweep-protocol.js';
import { makeEvent } from '../metrics/make-event.js';

const config = resolveConfig(
  [{ name: 'p-1', epochs: 300, band: { lo: 0.2, hi: 0.3 }, noise: { draws: 4 } }],
  new Date(0),
);

function proxy(applied = true) {
  const sent: PointCommand[] = [];
  return { proxy: new RunProxy(config, (c) => (sent.push(c), Promise.resolve(applied))), sent };
}

describe('RunProxy', () => {
  it('shows a starting view made from the config until the worker posts', () => {
    const { proxy: p } = proxy();
    expect(p.run).toBe('p-1');
    expect(p.view()).toEqual({
      run: 'p-1',
      state: 'starting',
      epoch: 0,
      epochs: 300,
      band: { lo: 0.2, hi: 0.3 },
      sigma: config.noise.min,
      draws: 4,
      controller: 'pid',
      backend: 'auto',
    });
    expect(p.lastEvent()).toBeUndefined();
  });

  it('takes the worker’s posted view and last event', () => {
    const { proxy: p } = proxy();
    const event = makeEvent({ run: 'p-1', epoch: 12 });
    p.update({ view: { ...p.view(), state: 'running', epoch: 12, backend: 'js' }, lastEvent: event });
    expect(p.view()).toMatchObject({ state: 'running', epoch: 12, backend: 'js' });
    expect(p.lastEvent()).toBe(event);
  });

  it('forwards every request; a band shows once applied, pause and resume at once', async () => {
    const { proxy: p, sent } = proxy();
    p.update({ view: { ...p.view(), state: 'running' }, lastEvent: undefined });
    const banded = p.setBand({ lo: 0.1, hi: 0.2 });
    expect(p.view().band).toEqual({ lo: 0.2, hi: 0.3 }); // not before the worker has persisted it
    await banded;
    expect(p.view().band).toEqual({ lo: 0.1, hi: 0.2 });
    p.pause();
    expect(p.view().state).toBe('paused');
    p.resume();
    expect(p.view().state).toBe('running');
    p.stop();
    expect(sent).toEqual([
      { action: 'band', band: { lo: 0.1, hi: 0.2 } },
      { action: 'pause' },
      { action: 'resume' },
      { action: 'stop' },
    ]);
  });

  it('keeps the band of a run that ended before the request reached it', async () => {
    const { proxy: p, sent } = proxy(false);
    await p.setBand({ lo: 0.1, hi: 0.2 });
    expect(sent).toHaveLength(1);
    expect(p.view().band).toEqual({ lo: 0.2, hi: 0.3 });
  });

  it('marks an abandoned run stopped unless it had ended', () => {
    const { proxy: p } = proxy();
    p.abandon();
    expect(p.view().state).toBe('stopped');
    const { proxy: q } = proxy();
    q.update({ view: { ...q.view(), state: 'diverged' }, lastEvent: undefined });
    q.abandon();
    expect(q.view().state).toBe('diverged');
  });
});
