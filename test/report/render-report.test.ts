import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReportSvg, writeReport } from '../../src/report/render-report.js';
import { LOSS_AXIS_TITLE, SIGMA_AXIS_TITLE } from '../../src/report/report-spec.js';
import { UserError } from '../../src/core/user-error.js';
import { syntheticRun } from './synthetic-run.js';

const root = mkdtempSync(join(tmpdir(), 'lossband-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runDir(name: string, events: string | null): string {
  const dir = join(root, name);
  mkdirSync(dir);
  if (events !== null) writeFileSync(join(dir, 'events.jsonl'), events);
  return dir;
}

const jsonl = (n: number): string =>
  syntheticRun(n)
    .map((e) => `${JSON.stringify({ run: 'demo', ...e })}\n`)
    .join('');

describe('renderReportSvg', () => {
  it('renders an SVG with both axis titles and the legend', async () => {
    const svg = await renderReportSvg(syntheticRun(60), { title: 'demo run' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain(`>${LOSS_AXIS_TITLE}<`);
    expect(svg).toContain(`>${SIGMA_AXIS_TITLE}<`);
    expect(svg).toContain('>epoch<');
    expect(svg).toContain('>smoothed loss<');
    expect(svg).toContain('>demo run<');
  });

  it('keeps a 100k-epoch run small', async () => {
    const svg = await renderReportSvg(syntheticRun(100_000));
    expect(svg.length).toBeLessThan(1_000_000);
  });
});

describe('writeReport', () => {
  it('writes runDir/report.svg and leaves no temporary file', async () => {
    const dir = runDir('ok', jsonl(30));
    const path = await writeReport(dir);
    expect(path).toBe(join(dir, 'report.svg'));
    const svg = readFileSync(path, 'utf8');
    expect(svg).toContain('<svg');
    expect(svg).toContain('>ok<');
    expect(readdirSync(dir).sort()).toEqual(['events.jsonl', 'report.svg']);
  });

  it('names the bad line of events.jsonl', async () => {
    const dir = runDir('bad', `${jsonl(2)}not json\n${jsonl(1)}`);
    await expect(writeReport(dir)).rejects.toThrow(new RegExp(`^${join(dir, 'events.jsonl')}:3: not valid JSON`));
    expect(existsSync(join(dir, 'report.svg'))).toBe(false);
  });

  it('names a missing or empty events file', async () => {
    const missing = runDir('missing', null);
    await expect(writeReport(missing)).rejects.toThrow(`${join(missing, 'events.jsonl')}: no such file`);
    const empty = runDir('empty', '');
    await expect(writeReport(empty)).rejects.toThrow(UserError);
    await expect(writeReport(empty)).rejects.toThrow(`${join(empty, 'events.jsonl')}: no epoch events in the file`);
  });
});
