import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { longHistory } from './support/long-history.js';

const bin = path.resolve('bin/lossband.js');
const probe = path.resolve('test/regression/fixtures/shutdown-probe.mjs');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-shutdown-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** What the process did from SIGTERM to exit (see the probe). */
interface ShutdownWork {
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
  cpuSeconds: number;
}

/** Resumes `dir` (run until stopped), sends SIGTERM once the run handles signals, and measures the shutdown. */
async function shutdownOf(dir: string): Promise<{ work: ShutdownWork; code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', probe, bin, 'run', '--resume', dir, '--epochs', '100000000', '--port', '0', '--quiet'],
    { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  let probed = '';
  (child.stdio[3] as Readable).on('data', (c: Buffer) => {
    probed += c.toString();
    if (probed.includes('armed\n') && !probed.includes('sent')) {
      probed += 'sent\n';
      child.kill('SIGTERM');
    }
  });
  // Not a pass condition: a child that never exits must not outlive the test.
  const reaper = setTimeout(() => child.kill('SIGKILL'), 110_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(reaper);
  const line = probed.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no shutdown measured (exit ${code}): ${stderr}`);
  return { work: JSON.parse(line) as ShutdownWork, code, stderr };
}

// Issue 11, items 6 and 13: Ctrl-C took 5.3 s on a 25k-epoch run and 9.6 s after 507k epochs,
// because the shutdown rendered the report, reading the whole history. The shutdown's work must
// not grow with the history: measured here on 1k and 100k epochs by the kernel's I/O counters
// and the CPU time from SIGTERM to exit, not by a clock (bench/shutdown.ts times it).
describe('shutdown does not grow with the run length', () => {
  it('a 100k-epoch run shuts down with the same I/O as a 1k-epoch run, and without reading its history', async () => {
    const short = path.join(root, 'r1k');
    const long = path.join(root, 'r100k');
    longHistory(short, 1_000);
    const historyBytes = longHistory(long, 100_000);
    expect(historyBytes).toBeGreaterThan(20e6);

    const a = await shutdownOf(short);
    const b = await shutdownOf(long);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    // The stop wrote its checkpoint and summary: the runs ended where they were stopped.
    for (const dir of [short, long]) {
      const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { state: string };
      expect(summary.state).toBe('stopped');
    }
    // Reading the history would be ≥ 20 MB for the long run; the shutdown reads a few kB.
    expect(b.work.rchar).toBeLessThan(historyBytes / 20);
    expect(b.work.rchar).toBeLessThanOrEqual(2 * a.work.rchar + 256 * 1024);
    expect(b.work.wchar).toBeLessThanOrEqual(2 * a.work.wchar + 256 * 1024);
    expect(b.work.syscr).toBeLessThanOrEqual(2 * a.work.syscr + 200);
    // CPU time is noisier (JIT, GC); a history-sized step would take ~100× longer.
    expect(b.work.cpuSeconds).toBeLessThanOrEqual(4 * a.work.cpuSeconds + 0.5);
    console.info(`shutdown work, 1k vs 100k epochs: ${JSON.stringify(a.work)} vs ${JSON.stringify(b.work)}`);
  });
});
