import { describe, expect, it } from 'vitest';
import { EventFeed, type DropReason, type FeedSubscriber } from '../../src/live/event-feed.js';
import type { FeedMessage } from '../../src/live/feed-event.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { feedEvent, feedEvents } from './make-feed-event.js';

/** A subscriber that records each batch; `full` makes its transport report backpressure. */
function recorder(options: { full?: boolean; throws?: boolean } = {}) {
  const batches: FeedMessage<EpochEvent>[][] = [];
  const drops: DropReason[] = [];
  const sink: FeedSubscriber<EpochEvent> & { full: boolean } = {
    full: options.full ?? false,
    write(messages) {
      if (options.throws === true) throw new Error('socket gone');
      batches.push([...messages]);
      return !sink.full;
    },
    dropped: (reason) => drops.push(reason),
  };
  const flat = () => batches.flat();
  const epochs = () => flat().map((m) => (m.type === 'epoch' ? m.event.epoch : `reset@${m.epoch}`));
  return { sink, batches, drops, flat, epochs };
}

/** Deterministic instance names: i1, i2, … */
const counter = () => {
  let n = 0;
  return () => `i${++n}`;
};

describe('EventFeed', () => {
  it('replays the history to a new subscriber, then sends each appended batch as one write', () => {
    const feed = new EventFeed<EpochEvent>({ newInstance: counter() });
    feed.append(feedEvents(1, 3));
    const r = recorder();
    const sub = feed.subscribe('demo', r.sink);
    expect(sub?.instance).toBe('i1');
    expect(r.batches.length).toBe(1);
    feed.append([...feedEvents(4, 6), ...feedEvents(1, 2, {}, 'other')]);
    expect(r.batches.length).toBe(2);
    expect(r.epochs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.flat().every((m) => m.instance === 'i1')).toBe(true);
    expect(feed.runs()).toEqual(['demo', 'other']);
    expect(feed.lastEpoch('demo')).toBe(6);
  });

  it('replays only epochs after `since` when the instance matches or is not given', () => {
    const feed = new EventFeed<EpochEvent>({ newInstance: counter() });
    feed.append(feedEvents(1, 10));
    const a = recorder();
    feed.subscribe('demo', a.sink, { since: 7, instance: 'i1' });
    const b = recorder();
    feed.subscribe('demo', b.sink, { since: 8 });
    const c = recorder();
    feed.subscribe('demo', c.sink, { since: 10, instance: 'i1' });
    expect(a.epochs()).toEqual([8, 9, 10]);
    expect(b.epochs()).toEqual([9, 10]);
    expect(c.batches).toEqual([]); // nothing to replay, nothing written
  });

  it('voids a client from another instance: reset to epoch 1, then the whole history', () => {
    const feed = new EventFeed<EpochEvent>({ newInstance: () => 'new' });
    feed.append(feedEvents(1, 5));
    const r = recorder();
    feed.subscribe('demo', r.sink, { since: 9, instance: 'old' });
    expect(r.epochs()).toEqual(['reset@1', 1, 2, 3, 4, 5]);
  });

  it('turns an epoch that is not above the last into a rewind: reset, new instance, truncated history', () => {
    const feed = new EventFeed<EpochEvent>({ newInstance: counter() });
    feed.append(feedEvents(1, 10));
    const r = recorder();
    feed.subscribe('demo', r.sink, { since: 10 });
    feed.append([...feedEvents(7, 8, { loss: 5 })]);
    expect(r.epochs()).toEqual(['reset@7', 7, 8]);
    expect(r.flat().map((m) => m.instance)).toEqual(['i2', 'i2', 'i2']);
    expect(feed.instance('demo')).toBe('i2');
    expect(feed.history('demo').map((e) => [e.epoch, e.loss])).toEqual([
      ...feedEvents(1, 6).map((e) => [e.epoch, e.loss]),
      [7, 5],
      [8, 5],
    ]);
    // A client that reconnects quoting the old instance gets everything again.
    const late = recorder();
    feed.subscribe('demo', late.sink, { since: 10, instance: 'i1' });
    expect(late.epochs()).toEqual(['reset@1', 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('treats the same epoch appended twice as a replacement, not a duplicate', () => {
    const feed = new EventFeed<EpochEvent>();
    feed.append([feedEvent(1), feedEvent(2), feedEvent(2, { loss: 9 })]);
    expect(feed.history('demo').map((e) => [e.epoch, e.loss])).toEqual([
      [1, 1],
      [2, 9],
    ]);
  });

  it('holds a blocked subscriber’s messages in its queue and flushes them in one write on drain', () => {
    const feed = new EventFeed<EpochEvent>({ maxQueue: 10 });
    const r = recorder({ full: true });
    const sub = feed.subscribe('demo', r.sink);
    feed.append(feedEvents(1, 2)); // written; the transport is now full
    feed.append(feedEvents(3, 4)); // queued
    feed.append(feedEvents(5, 6)); // queued
    expect(r.batches.length).toBe(1);
    r.sink.full = false;
    sub?.drained();
    expect(r.batches.length).toBe(2);
    expect(r.epochs()).toEqual([1, 2, 3, 4, 5, 6]);
    feed.append(feedEvents(7, 7));
    expect(r.batches.length).toBe(3);
  });

  it('drops a subscriber whose queue overflows, and keeps serving the others', () => {
    const dropped: string[] = [];
    const feed = new EventFeed<EpochEvent>({ maxQueue: 5, onDrop: (run, reason) => dropped.push(`${run}:${reason}`) });
    const slow = recorder({ full: true });
    const fast = recorder();
    feed.subscribe('demo', slow.sink);
    feed.subscribe('demo', fast.sink);
    feed.append(feedEvents(1, 1));
    feed.append(feedEvents(2, 4)); // queue 3
    feed.append(feedEvents(5, 6)); // queue 5: at the bound, still kept
    expect(slow.drops).toEqual([]);
    feed.append(feedEvents(7, 7)); // queue 6 > 5
    expect(slow.drops).toEqual(['slow']);
    expect(dropped).toEqual(['demo:slow']);
    feed.append(feedEvents(8, 8));
    expect(slow.epochs()).toEqual([1]);
    expect(fast.epochs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(feed.stats()).toEqual({ runs: 1, subscribers: 1, dropped: 1, ignored: 0 });
  });

  it('never lets a failing subscriber reach the appender', () => {
    const feed = new EventFeed<EpochEvent>({
      onDrop: () => {
        throw new Error('metrics broke');
      },
    });
    const bad = recorder({ throws: true });
    const good = recorder();
    feed.subscribe('demo', bad.sink);
    feed.subscribe('demo', good.sink);
    expect(() => feed.append(feedEvents(1, 2))).not.toThrow();
    expect(bad.drops).toEqual(['failed']);
    expect(good.epochs()).toEqual([1, 2]);
    expect(feed.stats().subscribers).toBe(1);
  });

  it('refuses subscribers past maxSubscribers and frees a slot on close', () => {
    const feed = new EventFeed<EpochEvent>({ maxSubscribers: 2 });
    const a = feed.subscribe('demo', recorder().sink);
    feed.subscribe('other', recorder().sink);
    expect(feed.full).toBe(true);
    expect(feed.subscribe('demo', recorder().sink)).toBeUndefined();
    a?.close();
    a?.close();
    expect(feed.stats().subscribers).toBe(1);
    expect(feed.subscribe('demo', recorder().sink)).toBeDefined();
  });

  it('ignores and counts events without a run name or a positive integer epoch', () => {
    const feed = new EventFeed<EpochEvent>();
    feed.append([feedEvent(0), feedEvent(1.5), feedEvent(Number.NaN), feedEvent(1, {}, ''), feedEvent(1)]);
    expect(feed.stats().ignored).toBe(4);
    expect(feed.history('demo').map((e) => e.epoch)).toEqual([1]);
  });

  it('bounds each run’s history however long the run', () => {
    const feed = new EventFeed<EpochEvent>({ maxPoints: 2000 });
    for (let start = 1; start <= 100_000; start += 100) feed.append(feedEvents(start, start + 99));
    const history = feed.history('demo');
    expect(history.length).toBeLessThanOrEqual(2000);
    expect(history.at(-1)?.epoch).toBe(100_000);
  });

  it('forgets a run with its subscribers', () => {
    const feed = new EventFeed<EpochEvent>();
    feed.append(feedEvents(1, 3));
    const r = recorder();
    feed.subscribe('demo', r.sink);
    feed.forget('demo');
    feed.append(feedEvents(4, 4));
    expect(r.epochs()).toEqual([1, 2, 3]);
    expect(feed.history('demo').map((e) => e.epoch)).toEqual([4]);
    expect(feed.stats().subscribers).toBe(0);
  });

  it('names a bad option', () => {
    expect(() => new EventFeed({ maxQueue: 0 })).toThrow('Invalid maxQueue: 0');
    expect(() => new EventFeed({ maxPoints: 2 })).toThrow('Invalid maxPoints: 2');
  });
});

describe('EventFeed live thinning', () => {
  it('sends a fast run at most `livePoints` epochs per batch, ending with its last, and keeps the history whole', () => {
    const feed = new EventFeed<EpochEvent>({ newInstance: counter(), livePoints: 16, maxPoints: 2000 });
    const live = recorder();
    feed.subscribe('demo', live.sink);
    feed.append(feedEvents(1, 400));
    feed.append(feedEvents(401, 410));
    expect(live.batches.map((b) => b.length)).toEqual([expect.any(Number), 10]);
    expect(live.batches[0]?.length).toBeLessThanOrEqual(16);
    expect(live.epochs().slice(-11)).toEqual([400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410]);
    const late = recorder();
    feed.subscribe('demo', late.sink);
    expect(late.epochs()).toEqual(feedEvents(1, 410).map((e) => e.epoch));
  });

  it('hands every subscriber of a run the same batch', () => {
    const feed = new EventFeed<EpochEvent>({ livePoints: 16 });
    const seen: (readonly FeedMessage<EpochEvent>[])[] = [];
    const sink: FeedSubscriber<EpochEvent> = { write: (m) => (seen.push(m), true), dropped: () => undefined };
    feed.subscribe('demo', sink);
    feed.subscribe('demo', sink);
    feed.append(feedEvents(1, 100));
    expect(seen.length).toBe(2);
    expect(seen[0]).toBe(seen[1]);
  });

  it('refuses a livePoints below 1', () => {
    expect(() => new EventFeed({ livePoints: 0 })).toThrow(/livePoints/);
  });
});
