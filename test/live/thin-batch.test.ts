import { describe, expect, it } from 'vitest';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import type { FeedMessage } from '../../src/live/feed-event.js';
import { thinBatch } from '../../src/live/thin-batch.js';
import { feedEvent } from './make-feed-event.js';

const epochMessages = (losses: readonly number[], first = 1, instance = 'a'): FeedMessage<EpochEvent>[] =>
  losses.map((loss, i) => ({ type: 'epoch', event: feedEvent(first + i, { loss }), instance }));

const epochsOf = (messages: readonly FeedMessage<EpochEvent>[]) =>
  messages.map((m) => (m.type === 'epoch' ? m.event.epoch : `reset@${m.epoch}`));

describe('thinBatch', () => {
  it('returns a batch within the limit as it is', () => {
    const batch = epochMessages([0.5, 0.4, 0.3]);
    expect(thinBatch(batch, 3)).toBe(batch);
  });

  it("keeps each bucket's lowest and highest loss in epoch order, and the last epoch", () => {
    // The worked example of the doc comment.
    const thinned = thinBatch(epochMessages([5, 3, 4, 6, 2, 2, 7, 1, 4]), 6);
    expect(epochsOf(thinned)).toEqual([2, 4, 7, 8, 9]);
  });

  it('keeps a divergence (a non-finite loss) and never exceeds the limit', () => {
    const losses = Array.from({ length: 1000 }, (_, i) => 0.3 + 0.01 * Math.sin(i));
    losses[417] = Number.NaN;
    for (const limit of [3, 8, 32, 101]) {
      const thinned = thinBatch(epochMessages(losses), limit);
      expect(thinned.length).toBeLessThanOrEqual(limit);
      expect(epochsOf(thinned)).toContain(418);
      expect(epochsOf(thinned).at(-1)).toBe(1000);
      const epochs = epochsOf(thinned) as number[];
      expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
    }
  });

  it('thins each side of a reset separately and keeps the reset in place with its instance', () => {
    const before = epochMessages(
      Array.from({ length: 50 }, () => 0.5),
      1,
      'a',
    );
    const reset: FeedMessage<EpochEvent> = { type: 'reset', epoch: 20, instance: 'b' };
    const after = epochMessages(
      Array.from({ length: 50 }, () => 0.4),
      20,
      'b',
    );
    const thinned = thinBatch([...before, reset, ...after], 10);
    const at = thinned.indexOf(reset);
    expect(at).toBeGreaterThan(0);
    expect(epochsOf(thinned.slice(0, at)).at(-1)).toBe(50);
    expect(epochsOf(thinned.slice(at + 1)).at(-1)).toBe(69);
    expect(thinned.slice(0, at).every((m) => m.instance === 'a')).toBe(true);
    expect(thinned.slice(at + 1).every((m) => m.instance === 'b')).toBe(true);
  });
});
