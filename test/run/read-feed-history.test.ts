import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { readFeedHistory } from '../../src/run/read-feed-history.js';
import { feedEvent, feedEvents } from '../live/make-feed-event.js';

const lines = (events: readonly EpochEvent[]): string => events.map((e) => JSON.stringify(e) + '\n').join('');

function runDir(files: Record<string, string | Buffer>): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-feed-history-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(d, name), content);
  return d;
}

describe('readFeedHistory', () => {
  it('reads a short history whole, segments first, in epoch order', async () => {
    const d = runDir({
      'events-000001.jsonl.gz': gzipSync(lines(feedEvents(1, 40))),
      'events.jsonl': lines(feedEvents(41, 60)),
    });
    const { events, lines: read, skipped } = await readFeedHistory(d, { run: 'demo' });
    expect(events.map((e) => e.epoch)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(events[41]).toEqual(JSON.parse(JSON.stringify(feedEvent(42))));
    expect([read, skipped]).toEqual([60, 0]);
  });

  it('keeps a long history in maxPoints: the newest exactly, the rest decimated with its spikes and dips', async () => {
    const n = 30_000;
    const curve = (epoch: number): number => 0.35 + 0.02 * Math.sin(epoch / 50);
    const events = feedEvents(1, n).map((e) => ({ ...e, loss: curve(e.epoch) }));
    const spike = { ...(events[4_999] as EpochEvent), loss: 9 };
    const dip = { ...(events[12_345] as EpochEvent), loss: 0.001 };
    events[4_999] = spike;
    events[12_345] = dip;
    const d = runDir({ 'events.jsonl': lines(events) });
    const { events: kept } = await readFeedHistory(d, { run: 'demo', maxPoints: 400, chunkBytes: 4096 });
    expect(kept.length).toBeLessThanOrEqual(400);
    expect(kept[0]?.epoch).toBe(1);
    const epochs = kept.map((e) => e.epoch);
    expect(epochs.every((e, i) => i === 0 || e > (epochs[i - 1] as number))).toBe(true);
    expect(epochs.slice(-200)).toEqual(Array.from({ length: 200 }, (_, i) => n - 199 + i));
    expect(kept).toContainEqual(spike);
    expect(kept).toContainEqual(dip);
  });

  it('skips what does not belong: a torn last line, blank lines, other runs, epochs out of order or after upTo', async () => {
    const text =
      lines(feedEvents(1, 3)) +
      '\n' +
      lines([feedEvent(4, {}, 'other')]) +
      'not json\n' +
      lines([feedEvent(2), feedEvent(4), feedEvent(5), feedEvent(6)]) +
      JSON.stringify(feedEvent(7)).slice(0, 40);
    const {
      events,
      lines: read,
      skipped,
    } = await readFeedHistory(runDir({ 'events.jsonl': text }), {
      run: 'demo',
      upTo: 5,
    });
    expect(events.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect([read, skipped]).toEqual([11, 6]);
  });

  it('reads a non-finite loss as JSON wrote it (null), and an empty directory as no history', async () => {
    const diverged = lines([feedEvent(1), feedEvent(2, { loss: NaN })]);
    const { events } = await readFeedHistory(runDir({ 'events.jsonl': diverged }), { run: 'demo' });
    expect(events.map((e) => e.loss)).toEqual([1, null]);
    expect((await readFeedHistory(runDir({}), { run: 'demo' })).events).toEqual([]);
  });

  it('refuses options that would not bound memory', async () => {
    await expect(readFeedHistory(runDir({}), { run: 'demo', maxPoints: 0 })).rejects.toThrow(/maxPoints/);
  });
});
