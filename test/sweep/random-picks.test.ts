import { describe, expect, it } from 'vitest';
import { choiceSpaceSize, randomPicks } from '../../src/sweep/random-picks.js';

const choices = { a: [1, 2, 3, 4], b: ['x', 'y', 'z'] };

describe('randomPicks', () => {
  it('is deterministic for a seed and changes with it', () => {
    expect(randomPicks(choices, 5, 1)).toEqual(randomPicks(choices, 5, 1));
    expect(randomPicks(choices, 5, 1)).not.toEqual(randomPicks(choices, 5, 2));
    expect(randomPicks(choices, 5, 'one')).toEqual(randomPicks(choices, 5, 'one'));
  });

  it('picks distinct combinations, one listed value per key, keys in file order', () => {
    for (let seed = 0; seed < 50; seed++) {
      const picks = randomPicks(choices, 7, seed);
      expect(picks).toHaveLength(7);
      expect(new Set(picks.map((p) => JSON.stringify(p))).size).toBe(7);
      for (const p of picks) {
        expect(Object.keys(p)).toEqual(['a', 'b']);
        expect(choices.a).toContain(p.a);
        expect(choices.b).toContain(p.b);
      }
    }
  });

  it('covers the whole space when count equals its size', () => {
    const all = randomPicks(choices, 12, 9)
      .map((p) => `${String(p.a)}${String(p.b)}`)
      .sort();
    expect(all).toEqual(['1x', '1y', '1z', '2x', '2y', '2z', '3x', '3y', '3z', '4x', '4y', '4z']);
  });

  it('spreads single picks over every value (fixed seeds, so this never flakes)', () => {
    const counts = new Map<unknown, number>();
    for (let seed = 0; seed < 2000; seed++) {
      const value = randomPicks({ v: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }, 1, seed)[0]?.v;
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    expect(counts.size).toBe(10);
    for (const n of counts.values()) expect(n).toBeGreaterThan(140);
  });

  it('handles spaces far larger than the count without building them', () => {
    const big = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`k${i}`, Array.from({ length: 20 }, (_, j) => j)]),
    );
    expect(choiceSpaceSize(big)).toBe(20 ** 12);
    const picks = randomPicks(big, 100, 3);
    expect(new Set(picks.map((p) => JSON.stringify(p))).size).toBe(100);
  });

  it('refuses more picks than combinations', () => {
    expect(() => randomPicks(choices, 13, 0)).toThrow('count 13 exceeds the 12 distinct combinations');
  });
});
