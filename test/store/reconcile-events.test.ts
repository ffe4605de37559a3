import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reconcileEvents } from '../../src/store/reconcile-events.js';

function file(text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-events-')), 'events.jsonl');
  fs.writeFileSync(f, text);
  return f;
}
const lines = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ epoch: i + 1, loss: i })).join('\n') + '\n';

describe('reconcileEvents', () => {
  it('drops events after the checkpoint and a torn last line', () => {
    const f = file(lines(7) + '{"epoch": 8, "lo');
    expect(reconcileEvents(f, 5)).toEqual({ kept: 5, dropped: 3 });
    expect(fs.readFileSync(f, 'utf8')).toBe(lines(5));
  });

  it('leaves a file that already matches untouched', () => {
    const f = file(lines(4));
    const before = fs.statSync(f).mtimeMs;
    expect(reconcileEvents(f, 4)).toEqual({ kept: 4, dropped: 0 });
    expect(fs.statSync(f).mtimeMs).toBe(before);
  });

  it('refuses to rewrite a history with a gap or garbage in the middle', () => {
    const gap = file(lines(2) + JSON.stringify({ epoch: 4 }) + '\n');
    expect(() => reconcileEvents(gap, 4)).toThrow(/:3: epoch 4 out of order/);
    const garbage = file(lines(2) + 'xx\n' + lines(3));
    expect(() => reconcileEvents(garbage, 3)).toThrow(/:3: not a JSON event/);
    expect(fs.readFileSync(garbage, 'utf8')).toBe(lines(2) + 'xx\n' + lines(3));
  });

  it('refuses when events the checkpoint covers are missing', () => {
    expect(() => reconcileEvents(file(lines(3)), 5)).toThrow(/holds 3 epochs but the checkpoint is at epoch 5/);
  });
});
