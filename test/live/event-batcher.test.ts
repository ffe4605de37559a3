import { describe, expect, it } from 'vitest';
import { EventBatcher } from '../../src/live/event-batcher.js';
import type { Every } from '../../src/live/sse-handler.js';

function setup(options: { maxPending?: number; throws?: boolean } = {}) {
  let t = 0;
  const posts: number[][] = [];
  const errors: unknown[] = [];
  let tick: (() => void) | undefined;
  const every: Every = (_ms, fn) => {
    tick = fn;
    return () => (tick = undefined);
  };
  const batcher = new EventBatcher<number>({
    post: (events) => {
      if (options.throws === true) throw new Error('port closed');
      posts.push(events);
    },
    intervalMs: 100,
    now: () => t,
    every,
    onError: (err) => errors.push(err),
    ...(options.maxPending === undefined ? {} : { maxPending: options.maxPending }),
  });
  return {
    batcher,
    posts,
    errors,
    at: (ms: number) => (t = ms),
    tick: () => tick?.(),
    timerOn: () => tick !== undefined,
  };
}

describe('EventBatcher', () => {
  it('posts the first event at once, then at most one batch per interval', () => {
    const { batcher, posts, at } = setup();
    for (let ms = 0; ms <= 250; ms += 10) {
      at(ms);
      batcher.add(ms);
    }
    expect(posts).toEqual([
      [0],
      [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      [110, 120, 130, 140, 150, 160, 170, 180, 190, 200],
    ]);
  });

  it('sends the tail of a burst on the timer, and the rest on stop', () => {
    const { batcher, posts, at, tick, timerOn } = setup();
    batcher.start();
    at(0);
    batcher.add(1);
    at(10);
    batcher.add(2);
    batcher.add(3);
    at(20);
    tick(); // too soon after the last post: nothing
    expect(posts).toEqual([[1]]);
    at(100);
    tick();
    expect(posts).toEqual([[1], [2, 3]]);
    at(110);
    batcher.add(4);
    batcher.stop();
    expect(posts).toEqual([[1], [2, 3], [4]]);
    expect(timerOn()).toBe(false);
  });

  it('holds at most maxPending events, dropping the oldest', () => {
    const { batcher, posts, at } = setup({ maxPending: 3 });
    at(0);
    batcher.add(0);
    for (let i = 1; i <= 6; i++) batcher.add(i);
    batcher.flush();
    expect(posts).toEqual([[0], [4, 5, 6]]);
    expect(batcher.dropped).toBe(3);
  });

  it('never throws when posting fails', () => {
    const { batcher, errors, at } = setup({ throws: true });
    at(0);
    expect(() => batcher.add(1)).not.toThrow();
    expect(errors.length).toBe(1);
  });
});
