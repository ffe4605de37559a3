import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { reconcileEvents } from '../../src/store/reconcile-events.js';

/** A run directory whose events.jsonl holds `text` (and the given closed segments). */
function runDir(text: string, segments: Record<string, string | Buffer> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-events-'));
  fs.writeFileSync(path.join(dir, 'events.jsonl'), text);
  for (const [name, content] of Object.entries(segments)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}
const events = (dir: string): string => fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8');
const range = (from: number, to: number, step = 1) => {
  let out = '';
  for (let e = from; e <= to; e += step) out += JSON.stringify({ epoch: e, loss: e }) + '\n';
  return out;
};
const lines = (n: number) => range(1, n);

describe('reconcileEvents', () => {
  it('drops events after the checkpoint and a torn last line', async () => {
    const dir = runDir(lines(7) + '{"epoch": 8, "lo');
    expect(await reconcileEvents(dir, 5)).toEqual({ kept: 5, dropped: 3 });
    expect(events(dir)).toBe(lines(5));
  });

  it('leaves a history that already matches untouched', async () => {
    const dir = runDir(lines(4));
    const before = fs.statSync(path.join(dir, 'events.jsonl')).mtimeMs;
    expect(await reconcileEvents(dir, 4)).toEqual({ kept: 4, dropped: 0 });
    expect(fs.statSync(path.join(dir, 'events.jsonl')).mtimeMs).toBe(before);
  });

  it('refuses to rewrite a history with a gap or garbage in the middle, naming file:line', async () => {
    const gap = runDir(lines(2) + JSON.stringify({ epoch: 4 }) + '\n');
    await expect(reconcileEvents(gap, 4)).rejects.toThrow(/events\.jsonl:3: epoch 4 out of order \(expected 3\)/);
    const garbage = runDir(lines(2) + 'xx\n' + lines(3));
    await expect(reconcileEvents(garbage, 3)).rejects.toThrow(/events\.jsonl:3: not an epoch event/);
    expect(events(garbage)).toBe(lines(2) + 'xx\n' + lines(3));
  });

  it('refuses null, {} and a string epoch mid-file instead of dropping them', async () => {
    for (const bad of ['null', '{}', '{"epoch":"3"}', '[3]', '{"epoch":2.5}']) {
      const dir = runDir(lines(2) + bad + '\n' + range(3, 5));
      await expect(reconcileEvents(dir, 4), bad).rejects.toThrow(new RegExp(`events\\.jsonl:3: not an epoch event`));
      expect(events(dir)).toBe(lines(2) + bad + '\n' + range(3, 5));
    }
  });

  it('refuses a complete but unparsable last line (only an unterminated one is torn)', async () => {
    await expect(reconcileEvents(runDir(lines(3) + '{"epoch": 4, "lo\n'), 3)).rejects.toThrow(/:4: not an epoch event/);
  });

  it('refuses when events the checkpoint covers are missing', async () => {
    await expect(reconcileEvents(runDir(lines(3)), 5)).rejects.toThrow(
      /holds 3 epochs but the checkpoint is at epoch 5/,
    );
  });

  it('with every = 10 keeps the multiples and the extras, and still finds a missing multiple', async () => {
    const dir = runDir(range(10, 50, 10) + JSON.stringify({ epoch: 53 }) + '\n' + range(60, 80, 10));
    expect(await reconcileEvents(dir, 60, { every: 10 })).toEqual({ kept: 7, dropped: 2 });
    expect(events(dir)).toBe(range(10, 50, 10) + JSON.stringify({ epoch: 53 }) + '\n' + range(60, 60));
    const missing = runDir(range(10, 20, 10) + range(40, 40));
    await expect(reconcileEvents(missing, 40, { every: 10 })).rejects.toThrow(
      /:3: epoch 40 out of order \(expected 30\)/,
    );
  });

  it('reads rotated segments in order and cuts inside a compressed one', async () => {
    const dir = runDir(range(9, 12), {
      'events-000001.jsonl.gz': gzipSync(range(1, 4)),
      'events-000002.jsonl.gz': gzipSync(range(5, 8)),
    });
    expect(await reconcileEvents(dir, 6)).toEqual({ kept: 6, dropped: 6 });
    expect(gunzipSync(fs.readFileSync(path.join(dir, 'events-000002.jsonl.gz'))).toString()).toBe(range(5, 6));
    expect(gunzipSync(fs.readFileSync(path.join(dir, 'events-000001.jsonl.gz'))).toString()).toBe(range(1, 4));
    expect(events(dir)).toBe('');
    expect(fs.readdirSync(dir).sort()).toEqual(['events-000001.jsonl.gz', 'events-000002.jsonl.gz', 'events.jsonl']);
  });

  it('removes whole segments after the cut and reads a segment left uncompressed', async () => {
    const dir = runDir(range(9, 10), {
      'events-000001.jsonl': range(1, 4),
      'events-000002.jsonl.gz': gzipSync(range(5, 8)),
    });
    expect(await reconcileEvents(dir, 3)).toEqual({ kept: 3, dropped: 7 });
    expect(fs.readdirSync(dir).sort()).toEqual(['events-000001.jsonl', 'events.jsonl']);
    expect(fs.readFileSync(path.join(dir, 'events-000001.jsonl'), 'utf8')).toBe(range(1, 3));
  });

  it('removes a segment the cut falls at the start of, instead of leaving it empty', async () => {
    const dir = runDir(range(9, 10), {
      'events-000001.jsonl.gz': gzipSync(range(1, 4)),
      'events-000002.jsonl.gz': gzipSync(range(5, 8)),
    });
    expect(await reconcileEvents(dir, 4)).toEqual({ kept: 4, dropped: 6 });
    expect(fs.readdirSync(dir).sort()).toEqual(['events-000001.jsonl.gz', 'events.jsonl']);
    expect(events(dir)).toBe('');
  });

  it('names the segment and line of an epoch repeated across segments', async () => {
    const dir = runDir(range(4, 6), { 'events-000001.jsonl.gz': gzipSync(range(1, 4)) });
    await expect(reconcileEvents(dir, 6)).rejects.toThrow(/events\.jsonl:1: epoch 4 out of order \(after epoch 4\)/);
  });
});
