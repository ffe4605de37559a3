import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { EventsWriter, type EventsFs } from '../../src/store/events-writer.js';
import { readEventLines } from '../../src/store/read-event-lines.js';
import type { StoreFailure } from '../../src/store/store-failure.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-ew-'));
const event = (epoch: number, extra: Partial<EpochEvent> = {}): EpochEvent =>
  ({
    run: 'r',
    epoch,
    loss: 0.35,
    nonFinite: false,
    sigma: 0.1,
    draws: 1,
    smoothedLoss: 0.35,
    band: { lo: 0.3, hi: 0.4 },
    inBand: true,
    terms: { p: 0, i: 0, d: 0 },
    timestamp: 0,
    ...extra,
  }) as unknown as EpochEvent;
const epochsIn = (text: string): number[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).epoch);

async function history(d: string): Promise<number[]> {
  const out: number[] = [];
  for await (const l of readEventLines(d)) out.push(JSON.parse(l.text).epoch);
  return out;
}

/** The real calls, but the write fails with `code` once `budget` bytes are written (a short write first). */
function fullDisk(budget: number, code = 'ENOSPC'): EventsFs & { calls: number } {
  let left = budget;
  const io = {
    calls: 0,
    write: (fd: number, buffer: Buffer, offset: number, length: number) => {
      io.calls += 1;
      if (left <= 0) throw Object.assign(new Error(`${code}: no space`), { code });
      const n = Math.min(left, length);
      left -= n;
      return fs.writeSync(fd, buffer, offset, n);
    },
    fsync: (fd: number) => fs.fsyncSync(fd),
  };
  return io;
}

describe('EventsWriter', () => {
  it('records every epoch by default, flushing in batches', () => {
    const d = dir();
    const file = path.join(d, 'events.jsonl');
    const w = new EventsWriter(file, { maxDelayMs: Infinity });
    for (let e = 1; e <= 5; e++) w.append(event(e));
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    w.close();
    expect(epochsIn(fs.readFileSync(file, 'utf8'))).toEqual([1, 2, 3, 4, 5]);
  });

  it('with every = 10 keeps multiples of 10, non-finite epochs and the last epoch before close', () => {
    const d = dir();
    const file = path.join(d, 'events.jsonl');
    const w = new EventsWriter(file, { every: 10 });
    for (let e = 1; e <= 37; e++)
      w.append(event(e, e === 13 ? { nonFinite: true, loss: null as unknown as number } : {}));
    w.close();
    expect(epochsIn(fs.readFileSync(file, 'utf8'))).toEqual([10, 13, 20, 30, 37]);
  });

  it('rotates past rotateBytes into gzip segments that readEventLines reads back in order', async () => {
    const d = dir();
    const file = path.join(d, 'events.jsonl');
    const w = new EventsWriter(file, { rotateBytes: 2000, maxBufferBytes: 1 });
    for (let e = 1; e <= 60; e++) w.append(event(e));
    w.close();
    await w.settle();
    const names = fs.readdirSync(d).sort();
    const segments = names.filter((n) => n.endsWith('.jsonl.gz'));
    expect(segments.length).toBeGreaterThanOrEqual(3);
    expect(segments[0]).toBe('events-000001.jsonl.gz');
    expect(names).toEqual([...segments, 'events.jsonl']);
    for (const s of segments) {
      const text = gunzipSync(fs.readFileSync(path.join(d, s))).toString();
      expect(text.endsWith('\n')).toBe(true);
      expect(text.length).toBeGreaterThanOrEqual(2000);
      expect(text.length).toBeLessThan(2000 + 400);
    }
    expect(await history(d)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('continues the segment numbers and compresses a segment a killed writer left plain', async () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'events-000001.jsonl'), epochsLines(1, 2));
    const w = new EventsWriter(path.join(d, 'events.jsonl'), { rotateBytes: 1, maxBufferBytes: 1 });
    w.append(event(3));
    w.close();
    await w.settle();
    expect(fs.readdirSync(d).sort()).toEqual(['events-000001.jsonl.gz', 'events-000002.jsonl.gz', 'events.jsonl']);
    expect(await history(d)).toEqual([1, 2, 3]);
  });

  it('removes the plain copy of a segment whose compression finished but was not cleaned up', async () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'events-000001.jsonl'), epochsLines(1, 2));
    fs.writeFileSync(path.join(d, 'events-000001.jsonl.gz'), gzipSync(epochsLines(1, 2)));
    const w = new EventsWriter(path.join(d, 'events.jsonl'));
    w.append(event(3));
    w.close();
    await w.settle();
    expect(fs.readdirSync(d).sort()).toEqual(['events-000001.jsonl.gz', 'events.jsonl']);
    expect(await history(d)).toEqual([1, 2, 3]);
  });

  it('cuts a torn batch back to the last whole line on ENOSPC, reports it once and writes nothing more', () => {
    const d = dir();
    const file = path.join(d, 'events.jsonl');
    const fatal: StoreFailure[] = [];
    const errors: unknown[] = [];
    const io = fullDisk(1000);
    const w = new EventsWriter(file, {
      maxBufferBytes: 600,
      fs: io,
      onFatal: (f) => fatal.push(f),
      onError: (e) => errors.push(e),
    });
    for (let e = 1; e <= 200; e++) w.append(event(e));
    const calls = io.calls;
    w.close();
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const epochs = epochsIn(text);
    expect(epochs.length).toBeGreaterThan(0);
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    expect(fatal.map((f) => f.message)).toEqual([`${file}: ENOSPC (no space left on the device)`]);
    expect(w.fatal).toBe(fatal[0]);
    expect(errors).toEqual([]);
    expect(io.calls).toBe(calls); // nothing was tried after the failure
  });

  it('rejects sync() once stopped, so no checkpoint can claim the lost events', async () => {
    const d = dir();
    const w = new EventsWriter(path.join(d, 'events.jsonl'), { fs: fullDisk(0, 'EROFS'), onFatal: () => undefined });
    w.append(event(1));
    await expect(w.sync()).rejects.toThrow(/events\.jsonl: EROFS \(the file system is read-only\)/);
  });

  it('notices a deleted run directory at the next sync', async () => {
    const d = dir();
    const fatal: StoreFailure[] = [];
    const w = new EventsWriter(path.join(d, 'events.jsonl'), { onFatal: (f) => fatal.push(f) });
    w.append(event(1));
    fs.rmSync(d, { recursive: true });
    await expect(w.sync()).rejects.toThrow(/ENOENT/);
    expect(fatal).toHaveLength(1);
  });

  it('keeps the lines and retries after another error, reporting it once', () => {
    const d = dir();
    const file = path.join(d, 'events.jsonl');
    const errors: unknown[] = [];
    let failing = 3;
    const w = new EventsWriter(file, {
      maxBufferBytes: 1,
      onError: (e) => errors.push(e),
      fs: {
        write: (fd, b, o, l) => {
          if (failing-- > 0) throw Object.assign(new Error('i/o'), { code: 'EIO' });
          return fs.writeSync(fd, b, o, l);
        },
        fsync: (fd) => fs.fsyncSync(fd),
      },
    });
    for (let e = 1; e <= 5; e++) w.append(event(e));
    w.close();
    expect(epochsIn(fs.readFileSync(file, 'utf8'))).toEqual([1, 2, 3, 4, 5]);
    expect(errors).toHaveLength(1);
    expect(w.fatal).toBeUndefined();
  });

  it('never writes through a symlink planted at events.jsonl', () => {
    const d = dir();
    fs.symlinkSync(path.join(d, 'elsewhere'), path.join(d, 'events.jsonl'));
    expect(() => new EventsWriter(path.join(d, 'events.jsonl'))).toThrow(/ELOOP/);
  });
});

function epochsLines(from: number, to: number): string {
  let out = '';
  for (let e = from; e <= to; e++) out += JSON.stringify(event(e)) + '\n';
  return out;
}
