import { describe, expect, it } from 'vitest';
import { EPOCHS_PER_MESSAGE, formatMessages, parsePosition } from '../../src/live/sse-format.js';
import { feedEvent } from './make-feed-event.js';
import { parseSse } from './parse-sse.js';

describe('formatMessages', () => {
  it('writes epochs and reset messages with <epoch>:<instance> ids, non-finite loss as null', () => {
    const text = formatMessages([
      { type: 'epoch', event: feedEvent(41, { loss: Number.NaN }), instance: 'ab12' },
      { type: 'reset', epoch: 20, instance: 'cd34' },
    ]);
    const { blocks, rest } = parseSse(text);
    expect(rest).toBe('');
    expect(blocks.map((b) => [b.id, b.event])).toEqual([
      ['41:ab12', 'epochs'],
      ['19:cd34', 'reset'],
    ]);
    const [event] = JSON.parse(blocks[0]?.data ?? '') as { epoch: number; loss: unknown; run: string }[];
    expect([event?.epoch, event?.loss, event?.run]).toEqual([41, null, 'demo']);
    expect(JSON.parse(blocks[1]?.data ?? '')).toEqual({ epoch: 20, instance: 'cd34' });
  });

  it('sends consecutive epochs as one message, id of the last, split at a reset, an instance change and the size cap', () => {
    const epochs = (from: number, to: number, instance: string) =>
      Array.from({ length: to - from + 1 }, (_, i) => ({
        type: 'epoch' as const,
        event: feedEvent(from + i),
        instance,
      }));
    const text = formatMessages([
      ...epochs(1, 3, 'a'),
      { type: 'reset', epoch: 2, instance: 'b' },
      ...epochs(2, EPOCHS_PER_MESSAGE + 3, 'b'),
      ...epochs(EPOCHS_PER_MESSAGE + 4, EPOCHS_PER_MESSAGE + 4, 'c'),
    ]);
    const { blocks } = parseSse(text);
    expect(blocks.map((b) => [b.id, b.event])).toEqual([
      ['3:a', 'epochs'],
      ['1:b', 'reset'],
      [`${EPOCHS_PER_MESSAGE + 1}:b`, 'epochs'],
      [`${EPOCHS_PER_MESSAGE + 3}:b`, 'epochs'],
      [`${EPOCHS_PER_MESSAGE + 4}:c`, 'epochs'],
    ]);
    const sizes = blocks.filter((b) => b.event === 'epochs').map((b) => (JSON.parse(b.data ?? '') as unknown[]).length);
    expect(sizes).toEqual([3, EPOCHS_PER_MESSAGE, 2, 1]);
    expect(formatMessages([])).toBe('');
  });
});

describe('parsePosition', () => {
  const q = (s: string) => new URLSearchParams(s);

  it('reads Last-Event-ID, with or without an instance, ahead of the query', () => {
    expect(parsePosition('41:3f9a0c1e', q('since=2&instance=x'))).toEqual({ since: 41, instance: '3f9a0c1e' });
    expect(parsePosition('7', q(''))).toEqual({ since: 7, instance: undefined });
  });

  it('falls back to ?since= and ?instance=, or the whole history', () => {
    expect(parsePosition(undefined, q('since=10&instance=ab'))).toEqual({ since: 10, instance: 'ab' });
    expect(parsePosition('', q(''))).toEqual({ since: 0, instance: undefined });
  });

  it('names the malformed field', () => {
    expect(parsePosition('abc', q(''))).toEqual({ error: 'Last-Event-ID: expected <epoch> or <epoch>:<instance>' });
    expect(parsePosition('1:a b', q(''))).toHaveProperty('error');
    expect(parsePosition(undefined, q('since=-1'))).toEqual({ error: 'since: expected a non-negative integer epoch' });
    expect(parsePosition(undefined, q('since=1e3'))).toHaveProperty('error');
    expect(parsePosition(undefined, q('instance=%0a'))).toHaveProperty(
      'error',
      'instance: expected 1-64 letters, digits, "_" or "-"',
    );
  });
});
