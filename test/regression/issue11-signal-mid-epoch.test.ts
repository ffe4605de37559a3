import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/lossband.js');
const counter = path.resolve('test/regression/fixtures/count-batches.mjs');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-midepoch-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/**
 * One long epoch on the plain-JS engine: 40,000 one-row batches (blobs 50000×32, 20% held
 * out, one draw in the first epoch), several seconds of computation on any machine, against
 * the few batches the test needs to see between its steps.
 */
const BATCHES = 40_000;
const args = (out: string) => [
  ...['run', '--data', 'blobs:50000x32x3', '--hidden', '64', '--batch-size', '1', '--backend', 'js'],
  ...['--draws', '1', '--epochs', '1', '--checkpoint-every', '1', '--port', '0', '--quiet', '--out', out],
];

interface Child {
  /** Resolves once the child has run at least `n` batches; with the count it reported. */
  batches(n: number): Promise<number>;
  /** The last batch count reported. */
  readonly seen: number;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(out: string): Child {
  const child = spawn(process.execPath, ['--import', counter, bin, ...args(out)], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let seen = 0;
  let stderr = '';
  const waiting: { n: number; resolve: (seen: number) => void }[] = [];
  (child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
    for (const m of chunk.toString().matchAll(/batches (\d+)/g)) seen = Number(m[1]);
    for (const w of waiting.splice(0)) {
      if (seen >= w.n) w.resolve(seen);
      else waiting.push(w);
    }
  });
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  // Not a pass condition: a child that never exits must not outlive the test.
  const reaper = setTimeout(() => child.kill('SIGKILL'), 110_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(reaper);
      for (const w of waiting.splice(0)) w.resolve(seen);
      resolve({ code, signal, stderr });
    }),
  );
  return {
    batches: (n) => new Promise((resolve) => (seen >= n ? resolve(seen) : waiting.push({ n, resolve }))),
    get seen() {
      return seen;
    },
    kill: (signal) => child.kill(signal),
    exited,
  };
}

const epochsIn = (dir: string): number[] =>
  fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { epoch: number }).epoch);
const checkpointEpoch = (dir: string): number =>
  (JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as { epoch: number }).epoch;

// Issue 11, item 17: a second and third SIGTERM sent during a long epoch were dropped until the
// epoch ended, because the epoch held the main thread and signal handlers run on it. Epochs now
// yield to the event loop every 50 ms between batches; a stop still waits for the epoch's end.
describe('signals during a long epoch', () => {
  it('a second SIGTERM mid-epoch ends the process before the epoch has run all its batches', async () => {
    const out = path.join(root, 'twice');
    const child = start(out);
    await child.batches(200); // mid-epoch: the signal handlers are installed before the first epoch
    child.kill('SIGTERM');
    const atFirst = child.seen;
    // More batches after the first signal: still in the same epoch, which a stop lets finish.
    await child.batches(atFirst + 200);
    child.kill('SIGTERM');
    const { code, stderr } = await child.exited;
    expect(code, stderr).toBe(143);
    expect(child.seen).toBeLessThan(BATCHES);
    expect(epochsIn(out)).toEqual([]);
  });

  it('one SIGTERM mid-epoch lets the epoch finish and be recorded, then stops with its checkpoint (exit 0)', async () => {
    const out = path.join(root, 'once');
    const child = start(out);
    await child.batches(200);
    child.kill('SIGTERM');
    const { code, stderr } = await child.exited;
    expect(code, stderr).toBe(0);
    expect(child.seen).toBeGreaterThanOrEqual(BATCHES - 100); // counted in hundreds
    expect(epochsIn(out)).toEqual([1]);
    expect(checkpointEpoch(out)).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({
      state: 'stopped',
      epochs: 1,
    });
  });
});
