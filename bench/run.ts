/**
 * `npm run bench`: every section in one process, one table on stdout, and the raw numbers in
 * bench/results/<name>.json. `BENCH_QUICK=1` for a smoke run, `BENCH_REPS=n` for more pairs,
 * `BENCH_NAME=x` to name the results file, `BENCH_ONLY=1,4` to run some sections.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/engines/tfjs/backend.js';
import { QUICK, REPS } from './lib/settings.js';
import { renderTable, type Row, type SectionResult } from './lib/table.js';
import { backends } from './sections/backends.js';
import { computeFloor } from './sections/floor.js';
import { metricsPath } from './sections/metrics-path.js';
import { noise } from './sections/noise.js';
import { overhead } from './sections/overhead.js';
import { peer } from './sections/peer.js';
import { prototypes } from './sections/prototypes.js';
import { tfjsOverhead } from './sections/tfjs-overhead.js';
import { sweepThroughput } from './sections/sweep-throughput.js';
import { pageCost } from './sections/page.js';

const root = path.resolve(import.meta.dirname, '..');
const only = process.env.BENCH_ONLY?.split(',').map(Number);
const started = new Date();
const t0 = performance.now();
const autoPick = await selectBackend();
const rows: Row[] = [];
const results: Record<string, unknown> = {};
const seconds: Record<string, number> = {};

async function section(
  n: number,
  name: string,
  run: () => Promise<SectionResult> | SectionResult,
): Promise<SectionResult | undefined> {
  if (only && !only.includes(n)) return undefined;
  const s0 = performance.now();
  process.stderr.write(`bench: ${n} ${name}…\n`);
  try {
    const r = await run();
    rows.push(...r.rows);
    results[name] = r.data;
    return r;
  } catch (err) {
    rows.push({
      section: `${n} ${name}`,
      what: 'section failed',
      result: 'error',
      note: (err as Error).message.split('\n')[0]?.slice(0, 120) ?? '',
    });
    results[name] = { error: String((err as Error).stack ?? err) };
    return undefined;
  } finally {
    seconds[name] = (performance.now() - s0) / 1000;
  }
}

const medianOf = (r: SectionResult | undefined, model: string, key: string): number | undefined => {
  const xs = (r?.data[model] as Record<string, number[]> | undefined)?.[key];
  return xs && xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : undefined;
};

const over = await section(1, 'overhead', overhead);
const midLossband = medianOf(over, 'mid', 'lossbandMsPerEpoch');
await section(2, 'noise', () => noise(midLossband));
await section(3, 'backends', () => backends(autoPick));
const proto = await section(7, 'prototypes', prototypes);
await section(4, 'floor', () =>
  computeFloor({
    'lossband mid epoch': midLossband,
    'bare tfjs mid epoch': medianOf(over, 'mid', 'bareMsPerEpoch'),
    'prototype (transposed grads) mid epoch': medianOf(proto, 'mid', 'transposedMsPerEpoch'),
  }),
);
await section(5, 'peer', peer);
await section(6, 'metrics', metricsPath);
await section(8, 'tfjs-overhead', tfjsOverhead);
await section(9, 'sweep', sweepThroughput);
await section(10, 'page', pageCost);

const order = (r: Row): number => Number(r.section.split(' ')[0]);
rows.sort((a, b) => order(a) - order(b));
const total = (performance.now() - t0) / 1000;
const git = (cmd: string): string => {
  try {
    return execSync(cmd, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};
const head = `lossband bench ${started.toISOString()} — ${QUICK ? 'QUICK (smoke; not for decisions)' : 'full'}, ${REPS} reps, backend ${autoPick} (auto), node ${process.version}, ${os.cpus().length} cpus, git ${git('git rev-parse --short HEAD')}${git('git status --porcelain src') ? '+dirty src' : ''}, ${total.toFixed(0)} s`;
process.stdout.write(`${head}\n\n${renderTable(rows)}\n`);

const name =
  process.env.BENCH_NAME ?? `${started.toISOString().replace(/[:.]/g, '-').slice(0, 19)}${QUICK ? '-quick' : ''}`;
const file = path.join(root, 'bench/results', `${name}.json`);
fs.mkdirSync(path.dirname(file), { recursive: true });
const json = {
  name,
  started: started.toISOString(),
  quick: QUICK,
  reps: REPS,
  node: process.version,
  cpus: os.cpus().length,
  backend: autoPick,
  git: git('git rev-parse HEAD'),
  seconds: { ...seconds, total },
  rows,
  results,
  tfBackendAtEnd: tf.getBackend(),
};
fs.writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
process.stdout.write(`\nwrote ${path.relative(root, file)}\n`);
