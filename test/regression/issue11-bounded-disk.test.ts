import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/lossband.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-disk-bound-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs `lossband args…`; `onStdout(out, kill)` sees the output as it comes. Resolves with the exit code and output. */
function lossband(args: string[], onStdout: (out: string, child: ReturnType<typeof spawn>) => void = () => undefined) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    onStdout(stdout, child);
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // Not a pass condition: a run that never stops must not outlive the test.
  const reaper = setTimeout(() => child.kill('SIGKILL'), 100_000);
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) =>
      child.on('exit', (code, signal) => {
        clearTimeout(reaper);
        resolve({ code, signal, stdout, stderr });
      }),
  );
}

/** The run's history in order: the gzip segments by number, then events.jsonl. */
function history(dir: string): { epochs: number[]; segments: string[] } {
  const segments = fs
    .readdirSync(dir)
    .filter((n) => /^events-\d{6}\.jsonl\.gz$/.test(n))
    .sort();
  const texts = [
    ...segments.map((s) => gunzipSync(fs.readFileSync(path.join(dir, s))).toString()),
    fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8'),
  ];
  const epochs = texts.flatMap((t) =>
    t
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).epoch as number),
  );
  return { epochs, segments };
}
const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
const newDir = (name: string) => path.join(fs.mkdtempSync(path.join(root, `${name}-`)), 'r');

// Issue 11, item 5: events.jsonl took ~400 bytes per epoch without bound (7 GB a day).
describe('the events record is bounded as configured', () => {
  it('--events-every 10 keeps every 10th epoch, and the report and a resume read that record', async () => {
    const dir = newDir('every');
    const first = await lossband([
      'run',
      '--epochs',
      '95',
      '--events-every',
      '10',
      '--port',
      '0',
      '--quiet',
      '--out',
      dir,
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // Multiples of 10, and the last epoch (95) so the record ends where the run did.
    expect(history(dir).epochs).toEqual([...range(10, 90, 10), 95]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).events).toEqual({
      every: 10,
      rotateBytes: 64 * 1024 * 1024,
    });
    expect(fs.existsSync(path.join(dir, 'report.svg'))).toBe(true);

    const more = await lossband(['run', '--resume', dir, '--epochs', '150', '--port', '0', '--quiet']);
    expect(more.stderr).toBe('');
    expect(more.code).toBe(0);
    expect(history(dir).epochs).toEqual([...range(10, 90, 10), 95, ...range(100, 150, 10)]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'))).toMatchObject({
      state: 'finished',
      epochs: 150,
    });
  });

  it('rotates events.jsonl into gzip segments past events.rotateBytes; report and resume after a kill read them in order', async () => {
    const rotateBytes = 20_000;
    const config = path.join(root, 'rotate.json');
    fs.writeFileSync(config, JSON.stringify({ events: { rotateBytes }, checkpointEvery: 40 }));
    const dir = newDir('rotate');
    let killed = false;
    const crashed = await lossband(
      ['run', '--config', config, '--epochs', '0', '--port', '0', '--out', dir],
      (_out, child) => {
        // SIGKILL once two segments are closed (a kill leaves no chance to tidy up).
        if (!killed && fs.readdirSync(dir).filter((n) => n.startsWith('events-')).length >= 2) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    );
    expect(crashed.signal).toBe('SIGKILL');

    const cp = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')).epoch as number;
    const target = cp + 120;
    const resumed = await lossband(['run', '--resume', dir, '--epochs', String(target), '--port', '0', '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const { epochs, segments } = history(dir);
    expect(epochs).toEqual(range(1, target));
    expect(segments.length).toBeGreaterThanOrEqual(2);
    expect(segments[0]).toBe('events-000001.jsonl.gz');
    expect(fs.readdirSync(dir).filter((n) => /^events-\d+\.jsonl$/.test(n))).toEqual([]); // all closed segments compressed
    for (const s of segments) {
      const gz = fs.statSync(path.join(dir, s)).size;
      const plain = gunzipSync(fs.readFileSync(path.join(dir, s))).length;
      expect(plain).toBeLessThan(rotateBytes + 64 * 1024); // one flush past the limit at most
      expect(gz).toBeLessThan(plain / 3);
    }
    expect(fs.statSync(path.join(dir, 'events.jsonl')).size).toBeLessThan(rotateBytes + 64 * 1024);

    const report = await lossband(['report', dir]);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'report.svg'), 'utf8')).toContain('>epoch<');
  });
});
