import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReportEvents } from '../../src/report/read-report-events.js';
import { UserError } from '../../src/core/user-error.js';

const dir = mkdtempSync(join(tmpdir(), 'lossband-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (epoch: number, extra: object = {}): string =>
  JSON.stringify({ run: 'r', epoch, loss: 1 / epoch, smoothedLoss: 1, sigma: 0.1, band: { lo: 0.3, hi: 0.4 }, ...extra });

function file(text: string): string {
  const path = join(dir, `e${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(path, text);
  return path;
}

describe('readReportEvents', () => {
  it('reads the plotted fields, skipping blank lines and mapping null to NaN', () => {
    const events = readReportEvents(file(`${line(1)}\n\n${line(2, { loss: null })}\n`));
    expect(events.map((e) => e.epoch)).toEqual([1, 2]);
    expect(events[1]?.loss).toBeNaN();
    expect(events[0]?.band).toEqual({ lo: 0.3, hi: 0.4 });
  });

  it('names the line of invalid JSON', () => {
    const path = file(`${line(1)}\n${line(2)}\n{"epoch": 3,\n${line(4)}\n`);
    expect(() => readReportEvents(path)).toThrow(UserError);
    expect(() => readReportEvents(path)).toThrow(new RegExp(`^${path}:3: not valid JSON`));
  });

  it('names the line and field of a malformed event', () => {
    const path = file(`${line(1)}\n${line(2, { sigma: 'x' })}\n`);
    expect(() => readReportEvents(path)).toThrow(new RegExp(`^${path}:2: field "sigma": `));
    const noBand = file(`${JSON.stringify({ epoch: 1, loss: 1, smoothedLoss: 1, sigma: 1 })}\n`);
    expect(() => readReportEvents(noBand)).toThrow(new RegExp(`^${noBand}:1: field "band": `));
  });

  it('skips an unterminated last line that a live run is still writing', () => {
    expect(readReportEvents(file(`${line(1)}\n${line(2)}\n{"epoch": 3, "lo`))).toHaveLength(2);
  });

  it('rejects an empty or missing file, naming it', () => {
    const empty = file('\n');
    expect(() => readReportEvents(empty)).toThrow(`${empty}: no epoch events in the file`);
    const missing = join(dir, 'missing.jsonl');
    expect(() => readReportEvents(missing)).toThrow(`${missing}: no such file`);
  });
});
