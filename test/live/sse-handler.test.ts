import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventFeed } from '../../src/live/event-feed.js';
import { createSseHandler, eventsRunOf, type Every } from '../../src/live/sse-handler.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { feedEvents } from './make-feed-event.js';
import { fetchRaw, openSse, type SseStream } from './sse-client.js';

/** An `Every` the test drives: `tick()` fires every live timer once. */
function manualTimers() {
  const timers = new Set<{ ms: number; tick: () => void }>();
  const every: Every = (ms, tick) => {
    const timer = { ms, tick };
    timers.add(timer);
    return () => timers.delete(timer);
  };
  return { every, timers, tick: () => [...timers].forEach((t) => t.tick()) };
}

const servers: Server[] = [];
const streams: SseStream[] = [];
afterEach(async () => {
  streams.splice(0).forEach((s) => s.close());
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((done) => {
          s.closeAllConnections();
          s.close(done);
        }),
    ),
  );
});

async function serve(
  feed: EventFeed<EpochEvent>,
  options: Partial<Parameters<typeof createSseHandler<EpochEvent>>[0]> = {},
) {
  const timers = manualTimers();
  const handler = createSseHandler({ feed, every: timers.every, retryMs: 50, ...options });
  const closed: Promise<void>[] = [];
  const server = createServer((req, res) => {
    closed.push(new Promise((done) => res.on('close', () => done())));
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const open = async (path: string, headers: Record<string, string> = {}) => {
    const s = await openSse(base, path, headers);
    streams.push(s);
    return s;
  };
  return { base, open, timers, closed };
}

/** Epochs received so far: each `epochs` message carries an array of them. */
const epochCount = (n: number) => (blocks: { event?: string; data?: string }[]) =>
  blocks
    .filter((b) => b.event === 'epochs')
    .reduce((sum, b) => sum + (JSON.parse(b.data ?? '[]') as unknown[]).length, 0) >= n;

describe('createSseHandler over HTTP', () => {
  it('sends SSE headers and a retry hint, replays the history, then streams new batches', async () => {
    const feed = new EventFeed<EpochEvent>({ newInstance: () => 'inst1' });
    feed.append(feedEvents(1, 3));
    const { open } = await serve(feed);
    const s = await open('/api/runs/demo/events');
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.headers['cache-control']).toBe('no-cache');
    expect(s.headers['x-accel-buffering']).toBe('no');
    await s.until(epochCount(3));
    expect(s.blocks[0]).toEqual({ retry: '50' });
    feed.append(feedEvents(4, 5));
    await s.until(epochCount(5));
    expect(s.epochs()).toEqual([1, 2, 3, 4, 5]);
    // One message per batch: the replay, then the appended batch; each id is its last epoch's.
    expect(s.blocks.filter((b) => b.event === 'epochs').map((b) => b.id)).toEqual(['3:inst1', '5:inst1']);
  });

  it('resumes after Last-Event-ID without duplicates, and the header wins over ?since=', async () => {
    const feed = new EventFeed<EpochEvent>({ newInstance: () => 'inst1' });
    feed.append(feedEvents(1, 5));
    const { open } = await serve(feed);
    const s = await open('/api/runs/demo/events?since=1', { 'last-event-id': '3:inst1' });
    await s.until(epochCount(2));
    feed.append(feedEvents(6, 6));
    await s.until(epochCount(3));
    expect(s.epochs()).toEqual([4, 5, 6]);
    const q = await open('/api/runs/demo/events?since=5');
    await q.until(epochCount(1));
    expect(q.epochs()).toEqual([6]);
  });

  it('voids points of another instance (a restarted server): reset to 1, then everything', async () => {
    const feed = new EventFeed<EpochEvent>({ newInstance: () => 'fresh' });
    feed.append(feedEvents(1, 4));
    const { open } = await serve(feed);
    const s = await open('/api/runs/demo/events', { 'last-event-id': '9:stale' });
    await s.until(epochCount(4));
    expect(s.epochs()).toEqual(['reset@1', 1, 2, 3, 4]);
    expect(s.blocks.find((b) => b.event === 'reset')?.id).toBe('0:fresh');
  });

  it('announces a rewind while connected: reset, then the re-trained epochs', async () => {
    let n = 0;
    const feed = new EventFeed<EpochEvent>({ newInstance: () => `i${++n}` });
    feed.append(feedEvents(1, 6));
    const { open } = await serve(feed);
    const s = await open('/api/runs/demo/events');
    await s.until(epochCount(6));
    feed.append(feedEvents(4, 5, { loss: 2 }));
    await s.until(epochCount(8));
    expect(s.epochs()).toEqual([1, 2, 3, 4, 5, 6, 'reset@4', 4, 5]);
    expect(s.blocks.filter((b) => b.event !== undefined).at(-1)?.id).toBe('5:i2');
  });

  it('writes a keep-alive comment on each heartbeat', async () => {
    const feed = new EventFeed<EpochEvent>();
    feed.append(feedEvents(1, 1));
    const { open, timers } = await serve(feed, { heartbeatMs: 1234 });
    const s = await open('/api/runs/demo/events');
    await s.until(epochCount(1));
    expect([...timers.timers].map((t) => t.ms)).toEqual([1234]);
    timers.tick();
    await s.until((blocks) => blocks.some((b) => b.comment === 'keep-alive'));
  });

  it('unsubscribes and stops the heartbeat when the client goes away', async () => {
    const feed = new EventFeed<EpochEvent>();
    feed.append(feedEvents(1, 1));
    const { open, timers, closed } = await serve(feed);
    const s = await open('/api/runs/demo/events');
    await s.until(epochCount(1));
    expect(feed.stats().subscribers).toBe(1);
    s.close();
    await closed[0];
    expect(feed.stats().subscribers).toBe(0);
    expect(timers.timers.size).toBe(0);
  });

  it('refuses with one-line JSON errors', async () => {
    const feed = new EventFeed<EpochEvent>({ maxSubscribers: 1 });
    feed.append(feedEvents(1, 1));
    const { base, open } = await serve(feed);
    const cases: [string, Record<string, string>, string, number, string][] = [
      ['/api/runs/nope/events', {}, 'GET', 404, 'run: no run named "nope"'],
      ['/api/runs/..%2F..%2Fetc/events', {}, 'GET', 404, 'run: no run named "../../etc"'],
      ['/api/runs/a%0Ab%00/events', {}, 'GET', 404, 'run: no run named "a\\nb\\u0000"'],
      ['/api/runs/%ZZ/events', {}, 'GET', 400, 'run: not a valid URI component'],
      [
        '/api/runs/demo/events',
        { 'last-event-id': 'x' },
        'GET',
        400,
        'Last-Event-ID: expected <epoch> or <epoch>:<instance>',
      ],
      ['/api/runs/demo/events?since=-3', {}, 'GET', 400, 'since: expected a non-negative integer epoch'],
      ['/api/runs/demo/events', {}, 'POST', 405, 'method: POST not allowed here; allowed: GET, HEAD'],
      ['/api/runs/demo/other', {}, 'GET', 404, 'path: no such resource'],
    ];
    for (const [path, headers, method, status, error] of cases) {
      const res = await fetchRaw(base, path, { method, headers });
      expect([path, res.status, JSON.parse(res.body)]).toEqual([path, status, { error }]);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    }
    const head = await fetchRaw(base, '/api/runs/demo/events', { method: 'HEAD' });
    expect([head.status, head.headers['content-type'], head.body]).toEqual([
      200,
      'text/event-stream; charset=utf-8',
      '',
    ]);
    const first = await open('/api/runs/demo/events');
    await first.until(epochCount(1));
    const second = await fetchRaw(base, '/api/runs/demo/events');
    expect([second.status, JSON.parse(second.body), second.headers['retry-after']]).toEqual([
      503,
      { error: 'events: too many open streams; try again later' },
      '10',
    ]);
  });

  it('uses isRun to decide which runs exist, before they have any epoch', async () => {
    const feed = new EventFeed<EpochEvent>();
    const { open } = await serve(feed, { isRun: (run) => run === 'starting-run' });
    const s = await open('/api/runs/starting-run/events');
    expect(s.status).toBe(200);
    feed.append(feedEvents(1, 2, {}, 'starting-run'));
    await s.until(epochCount(2));
    expect(s.epochs()).toEqual([1, 2]);
  });

  it('drops a real client that stops reading, and keeps a reading one', async () => {
    const feed = new EventFeed<EpochEvent>({ maxQueue: 8 });
    feed.append(feedEvents(1, 1));
    const { open, closed } = await serve(feed);
    const stalled = await open('/api/runs/demo/events');
    const reading = await open('/api/runs/demo/events');
    await stalled.until(epochCount(1));
    await reading.until(epochCount(1));
    stalled.pause();
    // 256 KiB per event: the kernel's socket buffers fill after a few dozen; then Node's
    // writes return false, the feed queues, and past 8 queued messages it drops the client.
    const pad = 'x'.repeat(256 * 1024);
    let epoch = 2;
    for (; epoch < 400 && feed.stats().dropped === 0; epoch++) {
      feed.append([{ ...feedEvents(epoch, epoch)[0]!, pad } as EpochEvent]);
      await reading.until(epochCount(epoch));
    }
    expect(feed.stats().dropped).toBe(1);
    await closed[0]; // the server ended the stalled connection (the paused client cannot see it)
    expect(feed.stats().subscribers).toBe(1);
    expect(reading.epochs().at(-1)).toBe(epoch - 1);
  });
});

/** A ServerResponse stand-in whose writes report a full socket until `drain()`. */
function fakeResponse() {
  const res = Object.assign(new EventEmitter(), {
    written: [] as string[],
    full: true,
    destroyed: false,
    writeHead: () => res,
    write: (chunk: string) => {
      res.written.push(chunk);
      return !res.full;
    },
    end: () => undefined,
    destroy: () => {
      res.destroyed = true;
      res.emit('close');
    },
    drain: () => {
      res.full = false;
      res.emit('drain');
    },
  });
  return res;
}

function fakeRequest(url: string): IncomingMessage {
  return Object.assign(new EventEmitter(), { url, method: 'GET', headers: {} }) as unknown as IncomingMessage;
}

describe('createSseHandler backpressure (unit)', () => {
  it('queues while res.write returns false, flushes on drain in one write, drops past the queue bound', () => {
    const feed = new EventFeed<EpochEvent>({ maxQueue: 4 });
    feed.append(feedEvents(1, 1));
    const timers = manualTimers();
    const res = fakeResponse();
    createSseHandler({ feed, every: timers.every })(
      fakeRequest('/api/runs/demo/events'),
      res as unknown as ServerResponse,
    );
    expect(res.written.length).toBe(2); // retry hint, replay
    feed.append(feedEvents(2, 3));
    feed.append(feedEvents(4, 5));
    expect(res.written.length).toBe(2);
    res.drain();
    expect(res.written.length).toBe(3);
    // The queued batches go out as one write, one message holding epochs 2–5.
    expect(res.written[2]).toMatch(/^id: 5:\w+\nevent: epochs\ndata: \[\{"run":"demo","epoch":2,.*"epoch":5,/s);
    res.full = true;
    feed.append(feedEvents(6, 6)); // written, socket full again
    feed.append(feedEvents(7, 10)); // queue 4: at the bound
    expect(res.destroyed).toBe(false);
    feed.append(feedEvents(11, 11)); // queue 5: dropped
    expect(res.destroyed).toBe(true);
    expect(feed.stats()).toMatchObject({ subscribers: 0, dropped: 1 });
    expect(timers.timers.size).toBe(0);
  });

  it('drops a connection that stays blocked for stallBeats heartbeats, even with no new epochs', () => {
    const feed = new EventFeed<EpochEvent>();
    feed.append(feedEvents(1, 1));
    const timers = manualTimers();
    const res = fakeResponse();
    createSseHandler({ feed, every: timers.every, stallBeats: 3 })(
      fakeRequest('/api/runs/demo/events'),
      res as unknown as ServerResponse,
    );
    timers.tick();
    timers.tick();
    expect(res.destroyed).toBe(false);
    timers.tick();
    expect(res.destroyed).toBe(true);
    expect(feed.stats().subscribers).toBe(0);
  });

  it('keeps a connection that drains between heartbeats', () => {
    const feed = new EventFeed<EpochEvent>();
    feed.append(feedEvents(1, 1));
    const timers = manualTimers();
    const res = fakeResponse();
    createSseHandler({ feed, every: timers.every, stallBeats: 2 })(
      fakeRequest('/api/runs/demo/events'),
      res as unknown as ServerResponse,
    );
    res.drain();
    res.full = true;
    for (let i = 0; i < 10; i++) {
      timers.tick();
      res.drain();
      res.full = true;
    }
    expect(res.destroyed).toBe(false);
    expect(res.written.filter((w) => w === ': keep-alive\n\n').length).toBe(10);
  });
});

describe('eventsRunOf', () => {
  it('extracts the encoded run name from events paths only', () => {
    expect(eventsRunOf('/api/runs/demo/events?since=3')).toBe('demo');
    expect(eventsRunOf('/api/runs/a%20b/events')).toBe('a%20b');
    expect(eventsRunOf('/api/runs/demo/events/')).toBeUndefined();
    expect(eventsRunOf('/api/runs//events')).toBeUndefined();
    expect(eventsRunOf('/api/runs/demo')).toBeUndefined();
  });
});
