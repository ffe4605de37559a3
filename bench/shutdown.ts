/**
 * `npm run bench:shutdown`: how long a stop takes, from the signal to the process's exit.
 *
 * 1. SIGTERM → exit on a resumed run whose history holds 1k and 100k epochs (built in seconds
 *    by `test/regression/support/long-history.ts`: a real 20-epoch run continued with copies of
 *    its last event), with no server (`--port 0`) and with the server on a free port. The
 *    signal is sent once the run handles signals (the probe preload reports it); the time is
 *    the parent's, kill() → 'exit'. REPS repetitions each (default 3), median and max.
 * 2. The second signal during one long epoch (40,000 one-row batches on the plain-JS engine,
 *    as in test/regression/issue11-signal-mid-epoch.test.ts): second SIGTERM → exit.
 * 3. The worst case of (2): one batch, which is never split. A full-batch epoch is one batch;
 *    `blobs:8192x128x3 --hidden 4096` on wasm (issue 11's ~5 s epoch) is timed per epoch.
 *
 * Prints a table and writes bench/results/shutdown.json. `BENCH_QUICK=1`: 1 repetition, no (3).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { longHistory } from '../test/regression/support/long-history.js';
import { freePort } from './lib/free-port.js';
import { QUICK } from './lib/settings.js';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/lossband.js');
const probe = path.join(root, 'test/regression/fixtures/shutdown-probe.mjs');
const counter = path.join(root, 'test/regression/fixtures/count-batches.mjs');
const REPS = QUICK ? 1 : Number(process.env.BENCH_REPS ?? 3);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-bench-shutdown-'));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** kill() → exit, in ms, for one resume of `dir` stopped by SIGTERM. */
async function stopOnce(dir: string, port: number): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', probe, bin, 'run', '--resume', dir, '--epochs', '100000000', '--port', String(port), '--quiet'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
  );
  let sentAt = 0;
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  (child.stdio[3] as Readable).on('data', (c: Buffer) => {
    if (sentAt === 0 && c.toString().includes('armed')) {
      sentAt = performance.now();
      child.kill('SIGTERM');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ms = performance.now() - sentAt;
  if (code !== 0 || sentAt === 0) throw new Error(`resume of ${dir} exited ${code}: ${stderr}`);
  return ms;
}

/** Second SIGTERM → exit, in ms, during one long epoch; and the batches run after the second signal. */
async function secondSignal(): Promise<{ ms: number; batchesAfter: number }> {
  const out = path.join(tmp, `mid-${Math.random().toString(36).slice(2)}`);
  const child = spawn(
    process.execPath,
    [
      ...['--import', counter, bin, 'run', '--data', 'blobs:50000x32x3', '--hidden', '64', '--batch-size', '1'],
      ...['--backend', 'js', '--draws', '1', '--epochs', '1', '--port', '0', '--quiet', '--out', out],
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], env: { ...process.env, COUNT_BATCHES_EVERY: '10' } },
  );
  let seen = 0;
  let phase = 0;
  let sentAt = 0;
  let atSecond = 0;
  (child.stdio[3] as Readable).on('data', (c: Buffer) => {
    for (const m of c.toString().matchAll(/batches (\d+)/g)) seen = Number(m[1]);
    if (phase === 0 && seen >= 200) {
      phase = 1;
      child.kill('SIGTERM');
    } else if (phase === 1 && seen >= 400) {
      phase = 2;
      atSecond = seen;
      sentAt = performance.now();
      child.kill('SIGTERM');
    }
  });
  await new Promise((resolve) => child.on('exit', resolve));
  return { ms: performance.now() - sentAt, batchesAfter: seen - atSecond };
}

/** ms per epoch of a full-batch wasm epoch of issue 11's size: the longest batch (and slice) there is. */
async function fullBatchEpoch(): Promise<number | string> {
  const out = path.join(tmp, 'full-batch');
  const child = spawn(
    process.execPath,
    [
      ...[bin, 'run', '--data', 'blobs:8192x128x3', '--hidden', '4096', '--backend', 'wasm', '--draws', '1'],
      ...['--epochs', '2', '--port', '0', '--quiet', '--out', out],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) return `failed: ${stderr.split('\n')[0]}`;
  const events = fs
    .readFileSync(path.join(out, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { durationMs: number });
  return (events.at(-1) as { durationMs: number }).durationMs;
}

const results: Record<string, unknown> = {};
const rows: string[][] = [];
for (const epochs of [1_000, 100_000]) {
  const dir = path.join(tmp, `r${epochs}`);
  const bytes = longHistory(dir, epochs);
  for (const server of [false, true]) {
    const times: number[] = [];
    for (let r = 0; r < REPS; r++) times.push(await stopOnce(dir, server ? await freePort() : 0));
    const key = `sigterm_exit_ms_${epochs}_${server ? 'server' : 'port0'}`;
    results[key] = times;
    rows.push([
      `SIGTERM → exit, ${epochs.toLocaleString('en')} epochs (${(bytes / 1e6).toFixed(1)} MB history), ${server ? 'server on' : '--port 0'}`,
      `${median(times).toFixed(0)} ms median, ${Math.max(...times).toFixed(0)} ms max`,
      '≤ 2000 ms',
    ]);
  }
}
const seconds: { ms: number; batchesAfter: number }[] = [];
for (let r = 0; r < REPS; r++) seconds.push(await secondSignal());
results.second_signal = seconds;
rows.push([
  'second SIGTERM → exit mid-epoch (one-row batches)',
  `${median(seconds.map((s) => s.ms)).toFixed(0)} ms median, ${Math.max(...seconds.map((s) => s.batchesAfter))} batches after it at most`,
  '≤ 50 ms + one batch',
]);
if (!QUICK) {
  const full = await fullBatchEpoch();
  results.full_batch_epoch_ms = full;
  rows.push([
    'worst case: one batch = a full-batch epoch, blobs 8192×128 → 4096 → 3, wasm',
    typeof full === 'number' ? `${full.toFixed(0)} ms per epoch` : full,
    'documented',
  ]);
}
fs.rmSync(tmp, { recursive: true, force: true });
const width = (i: number) => Math.max(...rows.map((r) => (r[i] as string).length), 6);
for (const r of [['what', 'result', 'target'], ...rows]) console.log(r.map((c, i) => c.padEnd(width(i))).join(' | '));
fs.writeFileSync(
  path.join(root, 'bench/results/shutdown.json'),
  JSON.stringify({ date: new Date().toISOString(), reps: REPS, cores: os.cpus().length, ...results }, null, 2) + '\n',
);
