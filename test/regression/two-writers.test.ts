import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/lossband.js');

/** Starts `lossband args…`; resolves `started` once it printed `marker`, `exited` with its code and output. */
function start(args: string[], marker: RegExp) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (marker.test(out)) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before ${marker}: ${out}${err}`)));
  });
  started.catch(() => undefined); // awaited only by tests that expect the process to get going
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out, err })),
  );
  return { child, started, exited };
}

// Issue 11, item 1: two writers on one run directory interleaved events.jsonl.
describe('one writer per run directory (two real processes)', () => {
  it('refuses a --resume while the run is being written, and a second --out on the same directory', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-lock-')), 'r');
    const first = start(['run', '--epochs', '0', '--port', '0', '--out', dir], /^epoch \d+/m);
    await first.started;
    const second = start(['run', '--resume', dir, '--port', '0'], /$^/);
    const refused = await second.exited;
    expect(refused.code).toBe(2);
    expect(refused.err.trim()).toMatch(
      new RegExp(`^lossband: ${dir}: another lossband process is writing this run \\(pid ${first.child.pid} on `),
    );
    const third = start(['run', '--epochs', '5', '--port', '0', '--out', dir], /$^/);
    const alsoRefused = await third.exited;
    expect(alsoRefused.code).toBe(2);
    expect(alsoRefused.err.trim().split('\n')).toHaveLength(1);

    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    const epochs = fs
      .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).epoch);
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    // After a clean exit the lock is gone, so the run resumes.
    expect(fs.existsSync(path.join(dir, '.lossband.lock'))).toBe(false);
  });

  it('takes over the lock of a SIGKILLed writer', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-lock-')), 'r');
    const first = start(
      ['run', '--epochs', '0', '--port', '0', '--checkpoint-every', '10', '--out', dir],
      /^epoch \d+/m,
    );
    await first.started;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(fs.existsSync(path.join(dir, '.lossband.lock'))).toBe(true);
    const resumed = start(['run', '--resume', dir, '--port', '0'], /resuming after epoch \d+[\s\S]*^epoch \d+/m);
    await resumed.started;
    resumed.child.kill('SIGTERM');
    const { code, err } = await resumed.exited;
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});
