import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from '../../src/store/checkpoint.js';
import { EMPTY_BAND_STATISTICS } from '../../src/control/band-statistics.js';
import { CheckpointWriter } from '../../src/store/checkpoint-writer.js';
import { StoreFailure } from '../../src/store/store-failure.js';
import { initLoop } from '../../src/control/closed-loop.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-cp-'));
const checkpoint = (epoch: number): Checkpoint => ({
  version: 1,
  run: 'r',
  epoch,
  savedAt: 1,
  learningRate: 0.01,
  rollbacks: 0,
  plant: { weights: ['AAAAAA=='], optimizer: { type: 'sgd', iterations: epoch }, noise: { words: [1, 2, 3, 4] } },
  loop: initLoop({ band: { lo: 0.3, hi: 0.4 } }),
  stats: EMPTY_BAND_STATISTICS,
});

describe('checkpoint files', () => {
  it('round-trips and replaces atomically, leaving no temp files', () => {
    const d = dir();
    const file = path.join(d, 'checkpoint.json');
    writeCheckpoint(file, checkpoint(100));
    writeCheckpoint(file, checkpoint(200));
    expect(readCheckpoint(file)?.epoch).toBe(200);
    expect(fs.readdirSync(d)).toEqual(['checkpoint.json']);
  });

  it('is absent before the first write, and damage is a one-line error naming the file', () => {
    const file = path.join(dir(), 'checkpoint.json');
    expect(readCheckpoint(file)).toBeUndefined();
    fs.writeFileSync(file, '{"version": 1, "epo');
    expect(() => readCheckpoint(file)).toThrow(`${file}: checkpoint is not valid JSON`);
    fs.writeFileSync(file, JSON.stringify({ ...checkpoint(1), epoch: -1 }));
    expect(() => readCheckpoint(file)).toThrow(/damaged checkpoint \(epoch: /);
  });
});

describe('CheckpointWriter', () => {
  it('writes in the background after its barrier, never two at once, and settles', async () => {
    const d = dir();
    const file = path.join(d, 'checkpoint.json');
    const writer = new CheckpointWriter(file);
    const order: string[] = [];
    let release!: () => void;
    const barrier = new Promise<void>((r) => (release = r));
    expect(
      writer.writeInBackground(checkpoint(100), async () => {
        order.push('barrier');
        await barrier;
      }),
    ).toBe(true);
    expect(writer.writeInBackground(checkpoint(200), async () => undefined)).toBe(false);
    expect(readCheckpoint(file)).toBeUndefined();
    release();
    await writer.settle();
    expect(order).toEqual(['barrier']);
    expect(readCheckpoint(file)?.epoch).toBe(100);
    writer.writeNow(checkpoint(300));
    expect(readCheckpoint(file)?.epoch).toBe(300);
    expect(fs.readdirSync(d)).toEqual(['checkpoint.json']);
  });

  it('reports another failed write once per errno and keeps going', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const eio = async () => {
      calls += 1;
      throw Object.assign(new Error('i/o'), { code: 'EIO' });
    };
    const writer = new CheckpointWriter(path.join(dir(), 'checkpoint.json'), {
      onError: (e) => errors.push(e),
      write: eio,
    });
    writer.writeInBackground(checkpoint(1), async () => undefined);
    await writer.settle();
    writer.writeInBackground(checkpoint(2), async () => undefined);
    await writer.settle();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    expect(writer.fatal).toBeUndefined();
  });

  it('stops after a fatal failure (directory gone), reporting it once through onFatal', async () => {
    const fatal: StoreFailure[] = [];
    const errors: unknown[] = [];
    const file = '/nonexistent/dir/checkpoint.json';
    const writer = new CheckpointWriter(file, { onFatal: (f) => fatal.push(f), onError: (e) => errors.push(e) });
    writer.writeInBackground(checkpoint(1), async () => undefined);
    await writer.settle();
    writer.writeNow(checkpoint(2));
    expect(writer.writeInBackground(checkpoint(3), async () => undefined)).toBe(false);
    expect(errors).toEqual([]);
    expect(fatal.map((f) => f.message)).toEqual([`${file}: ENOENT (the file or the run directory is gone)`]);
  });

  it('writes nothing when its barrier (the events) failed, and passes that failure on', async () => {
    const d = dir();
    const file = path.join(d, 'checkpoint.json');
    const fatal: StoreFailure[] = [];
    const writer = new CheckpointWriter(file, { onFatal: (f) => fatal.push(f) });
    const full = new StoreFailure(path.join(d, 'events.jsonl'), Object.assign(new Error(), { code: 'ENOSPC' }));
    writer.writeInBackground(checkpoint(1), () => Promise.reject(full));
    await writer.settle();
    expect(fs.existsSync(file)).toBe(false);
    expect(fatal).toEqual([full]);
  });
});
