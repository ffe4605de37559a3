import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/render-report.js';
import { startReportThread } from '../../src/report/report-thread.js';
import { syntheticRun } from './synthetic-run.js';

const root = mkdtempSync(join(tmpdir(), 'lossband-report-thread-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runDir(name: string, epochs: number | null): string {
  const dir = join(root, name);
  mkdirSync(dir);
  if (epochs !== null) {
    const lines = syntheticRun(epochs).map((e) => `${JSON.stringify({ run: 'demo', ...e })}\n`);
    writeFileSync(join(dir, 'events.jsonl'), lines.join(''));
  }
  return dir;
}

describe('startReportThread', () => {
  it('writes the same report.svg on its thread as writeReport does here', async () => {
    const here = runDir('here', 300);
    const there = runDir('there', 300);
    await writeReport(here, { title: 'same' });
    const reports = startReportThread();
    try {
      expect(await reports.render(there, { title: 'same' })).toBe(join(there, 'report.svg'));
    } finally {
      await reports.close();
    }
    expect(readFileSync(join(there, 'report.svg'), 'utf8')).toBe(readFileSync(join(here, 'report.svg'), 'utf8'));
  });

  it("rejects with the renderer's own error, and renders the next run after it", async () => {
    const missing = runDir('missing', null);
    const fine = runDir('fine', 20);
    const expected = await writeReport(missing).then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    const reports = startReportThread();
    try {
      await expect(reports.render(missing)).rejects.toThrow(expected);
      await expect(reports.render(fine)).resolves.toBe(join(fine, 'report.svg'));
    } finally {
      await reports.close();
    }
  });

  it('rejects what it has in hand when closed, and draws in this thread after', async () => {
    const a = runDir('closed-a', 2000);
    const b = runDir('closed-b', 20);
    const reports = startReportThread();
    const refused = expect(reports.render(a)).rejects.toThrow('the report thread was closed');
    await reports.close();
    await refused;
    await expect(reports.render(b)).resolves.toBe(join(b, 'report.svg'));
  });

  it('does not keep an idle process alive', () => {
    const script = `import { startReportThread } from ${JSON.stringify(new URL('../../src/report/report-thread.ts', import.meta.url).href)}; startReportThread();`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
  });
});
