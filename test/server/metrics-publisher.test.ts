import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InternalComponent } from '../../src/metrics/internal-component.js';
import type { ServerState } from '../../src/server/server-state.js';
import { MetricsPublisher, type MetricsPublisherOptions } from '../../src/server/metrics-publisher.js';
import { fakeRun } from './control-api-fake.js';
import { silentLogger } from './silent-logger.js';
import { makeEvent } from '../metrics/make-event.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A publisher on a registry with one counter, recording what it posts and counts. */
function setup(options: Partial<MetricsPublisherOptions> = {}) {
  const registry = new Registry();
  const counter = new Counter({ name: 'lossband_test_total', help: 'test', registers: [registry] });
  const posted: ServerState[] = [];
  const counted: InternalComponent[] = [];
  const log = silentLogger();
  const ticks: Array<() => void> = [];
  let cancelled = 0;
  const publisher = new MetricsPublisher({
    registry,
    post: (u) => void posted.push(u),
    errors: { countError: (c) => void counted.push(c) },
    log,
    every: (_ms, tick) => {
      ticks.push(tick);
      return () => void (cancelled += 1);
    },
    now: () => 0,
    ...options,
  });
  return { registry, counter, posted, counted, log, publisher, ticks, cancelled: () => cancelled };
}

/** A promise with its resolver, to hold a render in flight. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const texts = (posted: readonly ServerState[]): Array<string | null | undefined> =>
  posted.map((u) => (u.metrics === null ? null : u.metrics?.text));

describe('MetricsPublisher', () => {
  it('flush posts the registry text, its content type and readiness', async () => {
    const { publisher, posted, counter, registry } = setup({ isReady: () => false });
    counter.inc(3);
    await publisher.flush();
    const last = posted.at(-1);
    expect(last?.ready).toBe(false);
    expect(last?.metrics?.contentType).toBe(registry.contentType);
    expect(last?.metrics?.text).toContain('lossband_test_total 3');
    expect(publisher.latest).toEqual(last);
  });

  it('numbers every snapshot, one above the last posted', async () => {
    const { publisher, posted } = setup();
    expect(publisher.latest.version).toBe(0);
    await publisher.flush();
    publisher.publishRuns();
    await publisher.flush();
    expect(posted.map((s) => s.version)).toEqual(posted.map((_, i) => i + 1));
    expect(publisher.latest.version).toBe(posted.length);
  });

  it("carries each run's view and last event; publishRuns posts them at once without a render", async () => {
    const run = fakeRun('demo');
    const { publisher, posted, registry } = setup({ runs: () => [run] });
    await publisher.flush();
    expect(posted.at(-1)?.runs).toEqual([{ view: run.view(), lastEvent: null }]);
    const render = vi.spyOn(registry, 'metrics');
    run.pause();
    run.last = makeEvent({ run: 'demo', epoch: 8 });
    publisher.publishRuns();
    expect(render).not.toHaveBeenCalled();
    expect(posted.at(-1)?.runs).toEqual([{ view: { ...run.view(), state: 'paused' }, lastEvent: run.last }]);
    expect(posted.at(-1)?.metrics).toBe(posted.at(-2)?.metrics);
  });

  it('keeps the previous runs when a run handle throws, counting api and logging once per streak', async () => {
    const run = fakeRun('demo');
    const { publisher, posted, counted, log } = setup({ runs: () => [run] });
    await publisher.flush();
    const good = posted.at(-1)?.runs;
    run.view = () => {
      throw new Error('boom');
    };
    await publisher.flush();
    publisher.publishRuns();
    expect(posted.at(-1)?.runs).toBe(good);
    expect(counted).toEqual(['api', 'api']);
    expect(log.lines.filter((l) => l.level === 50)).toHaveLength(1);
  });

  it('publishIfDue starts at most one render per interval', async () => {
    const { publisher } = setup({ intervalMs: 250, now: () => 1000 });
    expect(publisher.publishIfDue(1000)).toBe(true);
    await publisher.flush(); // waits for it, then renders once more at 1000
    expect(publisher.publishIfDue(1100)).toBe(false);
    expect(publisher.publishIfDue(1249)).toBe(false);
    expect(publisher.publishIfDue(1250)).toBe(true);
  });

  it('never overlaps renders: a due call while one is in flight is skipped', async () => {
    const { publisher, registry, posted } = setup({ intervalMs: 10 });
    const held = deferred<string>();
    const render = vi.spyOn(registry, 'metrics').mockReturnValueOnce(held.promise);
    expect(publisher.publishIfDue(0)).toBe(true);
    expect(publisher.publishIfDue(1000)).toBe(false);
    expect(render).toHaveBeenCalledTimes(1);
    held.resolve('held text\n');
    await publisher.flush();
    expect(texts(posted).filter((t) => t !== undefined)[0]).toBe('held text\n');
    expect(render).toHaveBeenCalledTimes(2);
    expect(publisher.publishIfDue(2000)).toBe(true);
  });

  it('posts a readiness change at once, without waiting for a render', () => {
    let ready = false;
    const { publisher, posted } = setup({ isReady: () => ready });
    publisher.publishIfDue(0); // posts ready=false at once, renders
    ready = true;
    expect(publisher.publishIfDue(1)).toBe(false);
    const last = posted.at(-1);
    expect(last?.ready).toBe(true);
    expect(last?.metrics).toBe(posted.at(-2)?.metrics); // no render: the last metrics, whatever they were
  });

  it('ticks on its timer while no epochs call it, unless one just started; stop cancels', async () => {
    let now = 0;
    const { publisher, ticks, registry, cancelled } = setup({ intervalMs: 100, now: () => now });
    const render = vi.spyOn(registry, 'metrics');
    publisher.start();
    publisher.start();
    expect(ticks).toHaveLength(1);
    const tick = ticks[0] as () => void;
    now = 100;
    tick();
    expect(render).toHaveBeenCalledTimes(1);
    await publisher.flush(); // one more render, started at 100
    expect(render).toHaveBeenCalledTimes(2);
    now = 140;
    tick(); // 40 ms after the last start, e.g. an epoch's publishIfDue: skipped
    expect(render).toHaveBeenCalledTimes(2);
    now = 150;
    tick();
    expect(render).toHaveBeenCalledTimes(3);
    publisher.stop();
    publisher.stop();
    expect(cancelled()).toBe(1);
  });

  it('counts and posts a failed render, logs it once per streak, and recovers', async () => {
    const { publisher, registry, posted, counted, log } = setup();
    const render = vi.spyOn(registry, 'metrics');
    render.mockRejectedValueOnce(new Error('boom')).mockRejectedValueOnce(new Error('boom again'));
    await publisher.flush();
    await publisher.flush();
    expect(texts(posted).slice(-2)).toEqual([null, null]);
    expect(counted).toEqual(['metrics', 'metrics']);
    expect(log.lines.filter((l) => l.level === 50)).toHaveLength(1);
    await publisher.flush();
    expect(posted.at(-1)?.metrics?.text).toContain('lossband_test_total 0');
    render.mockRejectedValueOnce(new Error('a new streak'));
    await publisher.flush();
    expect(log.lines.filter((l) => l.level === 50)).toHaveLength(2);
  });

  it('gives up on a render that exceeds timeoutMs', async () => {
    vi.useFakeTimers();
    const { publisher, registry, posted, counted } = setup({ timeoutMs: 500 });
    vi.spyOn(registry, 'metrics').mockReturnValueOnce(new Promise<string>(() => undefined));
    const flushed = publisher.flush();
    await vi.advanceTimersByTimeAsync(500);
    await flushed;
    expect(posted.at(-1)).toMatchObject({ ready: true, metrics: null });
    expect(counted).toEqual(['metrics']);
    expect(publisher.publishIfDue(10_000)).toBe(true); // nothing left in flight
  });

  it('counts a post that throws instead of throwing', async () => {
    const { publisher, counted } = setup({
      post: () => {
        throw new Error('port closed');
      },
    });
    await expect(publisher.flush()).resolves.toBeUndefined();
    expect(counted).toEqual(['metrics']);
  });

  it('treats a throwing isReady as not ready', async () => {
    const { publisher, posted } = setup({
      isReady: () => {
        throw new Error('not yet');
      },
    });
    await publisher.flush();
    expect(posted.at(-1)?.ready).toBe(false);
  });

  it('refuses a non-positive interval or timeout, naming the value', () => {
    expect(() => setup({ intervalMs: 0 })).toThrow('Invalid intervalMs: 0');
    expect(() => setup({ timeoutMs: -1 })).toThrow('Invalid timeoutMs: -1');
  });
});
