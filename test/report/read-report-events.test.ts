import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readReportEvents } from '../../src/report/read-report-events.js';
import type { ReportEvent } from '../../src/report/downsample.js';
import { UserError } from '../../src/core/user-error.js';

const root = mkdtempSync(join(tmpdir(), 'lossband-events-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const line = (epoch: number, extra: object = {}): string =>
  JSON.stringify({
    run: 'r',
    epoch,
    loss: 1 / epoch,
    smoothedLoss: 1,
    sigma: 0.1,
    band: { lo: 0.3, hi: 0.4 },
    ...extra,
  });

/** A run directory whose events.jsonl holds `text`; returns the directory and the file. */
function run(text: string | null, segments: Record<string, Buffer> = {}): { dir: string; path: string } {
  const dir = join(root, `r${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const path = join(dir, 'events.jsonl');
  if (text !== null) writeFileSync(path, text);
  for (const [name, content] of Object.entries(segments)) writeFileSync(join(dir, name), content);
  return { dir, path };
}

async function all(dir: string): Promise<ReportEvent[]> {
  const out: ReportEvent[] = [];
  for await (const e of readReportEvents(dir)) out.push(e);
  return out;
}

describe('readReportEvents', () => {
  it('reads the plotted fields, skipping blank lines and mapping null to NaN', async () => {
    const events = await all(run(`${line(1)}\n\n${line(2, { loss: null })}\n`).dir);
    expect(events.map((e) => e.epoch)).toEqual([1, 2]);
    expect(events[1]?.loss).toBeNaN();
    expect(events[0]?.band).toEqual({ lo: 0.3, hi: 0.4 });
  });

  it('names the line of invalid JSON', async () => {
    const { dir, path } = run(`${line(1)}\n${line(2)}\n{"epoch": 3,\n${line(4)}\n`);
    await expect(all(dir)).rejects.toThrow(UserError);
    await expect(all(dir)).rejects.toThrow(new RegExp(`^${path}:3: not valid JSON`));
  });

  it('names the line and field of a malformed event', async () => {
    const bad = run(`${line(1)}\n${line(2, { sigma: 'x' })}\n`);
    await expect(all(bad.dir)).rejects.toThrow(new RegExp(`^${bad.path}:2: field "sigma": `));
    const noBand = run(`${JSON.stringify({ epoch: 1, loss: 1, smoothedLoss: 1, sigma: 1 })}\n`);
    await expect(all(noBand.dir)).rejects.toThrow(new RegExp(`^${noBand.path}:1: field "band": `));
  });

  it('skips an unterminated last line that a live run is still writing', async () => {
    expect(await all(run(`${line(1)}\n${line(2)}\n{"epoch": 3, "lo`).dir)).toHaveLength(2);
  });

  it('reads the compressed segments first, in number order, naming a bad line in one', async () => {
    const seg = (from: number, to: number) =>
      gzipSync(Array.from({ length: to - from + 1 }, (_, i) => line(from + i) + '\n').join(''));
    const { dir } = run(`${line(7)}\n`, { 'events-000002.jsonl.gz': seg(4, 6), 'events-000001.jsonl.gz': seg(1, 3) });
    expect((await all(dir)).map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const broken = run(`${line(3)}\n`, { 'events-000001.jsonl.gz': gzipSync(`${line(1)}\nnope\n`) });
    await expect(all(broken.dir)).rejects.toThrow(
      new RegExp(`^${join(broken.dir, 'events-000001.jsonl.gz')}:2: not valid JSON`),
    );
  });

  it('rejects an empty or missing history, naming it', async () => {
    const empty = run('\n');
    await expect(all(empty.dir)).rejects.toThrow(`${empty.path}: no epoch events in the file`);
    const missing = run(null);
    await expect(all(missing.dir)).rejects.toThrow(`${missing.path}: no such file`);
  });
});
