import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/lossband.js');
const exec = promisify(execFile);
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-life-'));

interface Line {
  epoch: number;
  loss: number;
  sigma: number;
  draws: number;
  smoothedLoss: number;
  valLoss: number;
}
const events = (dir: string): Line[] =>
  fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
const trajectory = (dir: string) =>
  events(dir).map(({ epoch, loss, sigma, draws, smoothedLoss, valLoss }) => ({
    epoch,
    loss,
    sigma,
    draws,
    smoothedLoss,
    valLoss,
  }));

async function lossband(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return e;
  }
}

/** Starts a run and resolves once its progress output reports `epoch` (no timers involved). */
function startUntil(args: string[], epoch: number) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const reached = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const seen = [...out.matchAll(/^epoch (\d+)/gm)].map((m) => Number(m[1]));
      if (seen.some((e) => e >= epoch)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before epoch ${epoch}: ${out}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, reached, exited };
}

describe('run lifecycle', () => {
  const common = ['--epochs', '600', '--seed', '11', '--checkpoint-every', '100', '--port', '0'];

  it('a SIGKILLed run resumes to exactly the losses of an uninterrupted run, with a gap-free events file', async () => {
    const straight = path.join(tmp(), 'straight');
    expect((await lossband(['run', ...common, '--quiet', '--out', straight])).code).toBe(0);

    const killed = path.join(tmp(), 'killed');
    const run = startUntil(['run', ...common, '--out', killed], 330);
    await run.reached;
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    const checkpointEpoch = JSON.parse(fs.readFileSync(path.join(killed, 'checkpoint.json'), 'utf8')).epoch as number;
    // The checkpoint at 300 is written off the epoch path, so the kill may land before it is on disk.
    expect(checkpointEpoch % 100).toBe(0);
    expect(checkpointEpoch).toBeGreaterThanOrEqual(100);
    expect(events(killed).length).toBeGreaterThanOrEqual(checkpointEpoch);

    const resumed = await lossband(['run', '--resume', killed, '--port', '0', '--quiet']);
    expect(resumed.code).toBe(0);
    expect(events(killed).map((e) => e.epoch)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(trajectory(killed)).toEqual(trajectory(straight));
    expect(JSON.parse(fs.readFileSync(path.join(killed, 'summary.json'), 'utf8')).state).toBe('finished');
  });

  it('--resume refuses flags that would change the run, and leaves the run intact', async () => {
    const dir = path.join(tmp(), 'r');
    expect((await lossband(['run', '--epochs', '20', '--port', '0', '--quiet', '--out', dir])).code).toBe(0);
    const before = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8');
    const r = await lossband(['run', '--resume', dir, '--seed', '5', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('lossband: --seed: cannot be used with --resume (a resumed run keeps its own config)');
    expect(fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8')).toBe(before);
    const missing = await lossband(['run', '--resume', path.join(dir, 'nope'), '--port', '0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/not a run directory/);
  });

  it('SIGTERM stops at an epoch boundary with a checkpoint and exits 0 within 5 s', async () => {
    const dir = path.join(tmp(), 't');
    const run = startUntil(['run', '--epochs', '0', '--port', '0', '--out', dir], 1000);
    await run.reached;
    const sent = performance.now();
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(performance.now() - sent).toBeLessThan(5000);
    expect(code).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    const checkpoint = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
    expect(summary.state).toBe('stopped');
    expect(checkpoint.epoch).toBe(summary.epochs);
    expect(events(dir).length).toBe(summary.epochs);
  });

  it('a diverging run ends with state diverged and exit 3', async () => {
    const dir = path.join(tmp(), 'd');
    const r = await lossband([
      'run',
      '--optimizer',
      'sgd',
      '--learning-rate',
      '1e6',
      '--epochs',
      '200',
      '--port',
      '0',
      '--quiet',
      '--out',
      dir,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/diverged at epoch \d+: the loss is not finite/);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    expect(summary.state).toBe('diverged');
  });

  it('rollback reloads the last good checkpoint with a lower learning rate, bounded', async () => {
    const dir = path.join(tmp(), 'rb');
    const r = await lossband([
      'run',
      '--optimizer',
      'sgd',
      '--learning-rate',
      '1e6',
      '--on-non-finite',
      'rollback',
      '--epochs',
      '200',
      '--port',
      '0',
      '--quiet',
      '--out',
      dir,
    ]);
    expect(r.code).toBe(3);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ state: 'diverged', rollbacks: 3, learningRate: 1e6 / 8 });
    expect(events(dir).map((e) => e.epoch)).toEqual(Array.from({ length: events(dir).length }, (_, i) => i + 1));
  });
});
