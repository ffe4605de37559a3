import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/live/ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps the newest items and returns the evicted oldest', () => {
    const ring = new RingBuffer<number>(3);
    expect([1, 2, 3].map((n) => ring.push(n))).toEqual([undefined, undefined, undefined]);
    expect(ring.push(4)).toBe(1);
    expect(ring.push(5)).toBe(2);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect([ring.at(0), ring.at(-1), ring.at(3), ring.at(-4)]).toEqual([3, 5, undefined, undefined]);
    expect(ring.length).toBe(3);
  });

  it('pops newest items while the predicate holds, across the wrap point', () => {
    const ring = new RingBuffer<number>(4);
    for (let n = 1; n <= 6; n++) ring.push(n); // storage wrapped: 3 4 5 6
    expect(ring.popWhile((n) => n >= 5)).toBe(2);
    expect(ring.toArray()).toEqual([3, 4]);
    ring.push(7);
    ring.push(8);
    ring.push(9);
    expect(ring.toArray()).toEqual([4, 7, 8, 9]);
    expect(ring.popWhile(() => true)).toBe(4);
    expect(ring.toArray()).toEqual([]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow('Invalid ring capacity: 0');
    expect(() => new RingBuffer(1.5)).toThrow('Invalid ring capacity: 1.5');
  });
});
