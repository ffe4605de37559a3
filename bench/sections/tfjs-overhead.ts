/**
 * Section 8: what lossband costs a user's own `model.fit`. Arm A trains with `controlledNoise`
 * and the real `bandCallback` (lossband/tfjs, from dist/) with its defaults: the run
 * directory (events, summary, checkpoints, report.svg), the metrics server and control API on a
 * free port, signals; the digits conv net is example (a) as its main.ts runs it (training
 * split, validation data, accuracy, band [0.25, 0.35], `trainingData`, so the held loss is
 * measured with the fixed draw: one extra forward pass per epoch). Arm B is the same
 * model with `tf.layers.gaussianNoise` at a fixed σ and no callback. Same data, batch size,
 * backend and epochs. Each repetition is a fresh process, timed from spawn to exit (the whole
 * process, start-up included) and, inside it, around `model.fit` (which includes the callback's
 * start and end: run directory, server thread, report); A/B alternated.
 *
 * Also a child: `node --import tsx bench/sections/tfjs-overhead.ts child lossband|bare mid|digits EPOCHS`
 * prints `{ fitMs }`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate } from '../lib/alternate.js';
import { freePort } from '../lib/free-port.js';
import { QUICK, REPS } from '../lib/settings.js';
import { medianRatio, median } from '../lib/stats.js';
import { fmt, type Row, type SectionResult } from '../lib/table.js';

type Workload = 'mid' | 'digits';
type Arm = 'lossband' | 'bare';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SELF = fileURLToPath(import.meta.url);
const TARGET: Record<Workload, number> = { mid: 0.03, digits: 0.1 };
/**
 * Epochs per process. A whole process carries a fixed cost (imports, the run directory, the
 * server thread, report.svg at the end) that a long run spreads thin, so the ratio depends on
 * the length. Defaults: 40 for mid (13 s of training), 60 for digits (example (a)'s own
 * length); `BENCH_TFJS_EPOCHS=mid:100,digits:16` sets others.
 */
const EPOCHS: Record<Workload, number> = {
  mid: QUICK ? 2 : 40,
  digits: QUICK ? 1 : 60,
  ...Object.fromEntries(
    (process.env.BENCH_TFJS_EPOCHS ?? '')
      .split(',')
      .filter((kv) => kv.includes(':'))
      .map((kv) => {
        const [k, v] = kv.split(':');
        return [k, Number(v)];
      }),
  ),
};
const LABEL: Record<Workload, string> = {
  mid: 'mid 4096×64 → 256 → 3, batch 32 (wasm)',
  digits: 'example (a) digits conv net, batch 32 (cpu)',
};

interface ChildResult {
  readonly wallMs: number;
  readonly fitMs: number;
}

function child(arm: Arm, workload: Workload, epochs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ['--import', 'tsx', SELF, 'child', arm, workload, String(epochs)], { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0)
        return reject(new Error(`tfjs-overhead child ${arm} ${workload} exited ${code}: ${err.slice(-300)}`));
      const { fitMs } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { fitMs: number };
      resolve({ wallMs, fitMs });
    });
  });
}

export async function tfjsOverhead(): Promise<SectionResult> {
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  // `BENCH_TFJS_WORKLOADS=digits` (or `mid`) measures one workload only.
  const workloads = (process.env.BENCH_TFJS_WORKLOADS?.split(',') ?? ['mid', 'digits']) as Workload[];
  for (const workload of workloads) {
    const epochs = EPOCHS[workload];
    const fit: { a: number[]; b: number[] } = { a: [], b: [] };
    const ab = await alternate(
      REPS,
      async () => {
        const r = await child('lossband', workload, epochs);
        fit.a.push(r.fitMs);
        return r.wallMs;
      },
      async () => {
        const r = await child('bare', workload, epochs);
        fit.b.push(r.fitMs);
        return r.wallMs;
      },
    );
    const over = ab.ratio - 1;
    const fitOver = medianRatio(fit.a, fit.b) - 1;
    data[workload] = {
      epochs,
      reps: REPS,
      wallMs: { lossband: ab.a, bare: ab.b },
      fitMs: { lossband: fit.a, bare: fit.b },
      overhead: over,
      fitOverhead: fitOver,
    };
    rows.push({
      section: '8 tfjs overhead',
      what: `${LABEL[workload]}, ${epochs} ep, whole process: controlledNoise + callback vs gaussianNoise`,
      result: `${fmt(over * 100, 1)} %`,
      target: `≤ ${TARGET[workload] * 100} %`,
      ok: over <= TARGET[workload],
      note: `${fmt(ab.medianA / 1000, 2)} vs ${fmt(ab.medianB / 1000, 2)} s; model.fit ${fmt(fitOver * 100, 1)} % (${fmt(median(fit.a) / epochs, 0)} vs ${fmt(median(fit.b) / epochs, 0)} ms/epoch)`,
    });
  }
  return { rows, data };
}

/** One arm in this process: build, train `epochs` epochs, print `{ fitMs }`. */
async function runChild(arm: Arm, workload: Workload, epochs: number): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { selectBackend } = await import('../../dist/engines/tfjs/backend.js');
  const { loadDataset } = await import('../../dist/data/datasets.js');
  const { splitDataset } = await import('../../dist/data/split.js');
  // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel: conv nets train on cpu.
  await selectBackend(workload === 'digits' ? 'cpu' : 'wasm');
  const all = loadDataset(workload === 'digits' ? 'digits' : 'blobs');
  // Example (a) as its main.ts runs it: the stratified training split, the test split as
  // validation data, an accuracy metric, band [0.25, 0.35]. The mid model trains on all rows.
  const split = workload === 'digits' ? splitDataset(all, { seed: 1, stratify: true }) : undefined;
  const shape = workload === 'digits' ? [8, 8, 1] : [all.features];
  const tensors = (d: typeof all) => ({
    x: tf.tensor(d.x, [d.rows, ...shape]).div(workload === 'digits' ? 16 : 1),
    y: tf.oneHot(tf.tensor1d(d.y, 'int32'), d.classNames.length),
  });
  const { x, y } = tensors(split?.train ?? all);
  const validation = split ? tensors(split.test) : undefined;

  let noise: import('@tensorflow/tfjs').layers.Layer;
  let callbacks: import('@tensorflow/tfjs').CustomCallback[] = [];
  let out: string | undefined;
  if (arm === 'lossband') {
    const { controlledNoise, bandCallback } = await import('../../dist/tfjs/index.js');
    noise = controlledNoise({ inputShape: shape });
    // The real callback with its defaults: run directory (events, summary, checkpoints,
    // report.svg), the metrics server on a free port, signals. The digits arm passes
    // `trainingData`, so it measures the held loss with the fixed draw, as example (a) does.
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-bench-tfjs-'));
    callbacks = [
      bandCallback({
        band: workload === 'digits' ? { lo: 0.25, hi: 0.35 } : { lo: 0.3, hi: 0.4 },
        run: `bench-${workload}`,
        out: path.join(out, 'run'),
        port: await freePort(),
        ...(workload === 'digits' ? { trainingData: [x, y] as [typeof x, typeof y] } : {}),
      }) as unknown as import('@tensorflow/tfjs').CustomCallback,
    ];
  } else {
    noise = tf.layers.gaussianNoise({ inputShape: shape, stddev: 0.3 });
  }
  const body =
    workload === 'digits'
      ? [
          tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ]
      : [tf.layers.dense({ units: 256, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })];
  const model = tf.sequential({ layers: [noise, ...body] });
  model.compile({
    optimizer: tf.train.adam(0.01),
    loss: 'categoricalCrossentropy',
    ...(validation ? { metrics: ['accuracy'] } : {}),
  });
  const t0 = performance.now();
  await model.fit(x, y, {
    epochs,
    batchSize: 32,
    callbacks,
    verbose: 0,
    ...(validation ? { validationData: [validation.x, validation.y] as [typeof x, typeof y] } : {}),
  });
  const fitMs = performance.now() - t0;
  if (out !== undefined) fs.rmSync(out, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ fitMs }) + '\n', () => process.exit(0));
}

if (process.argv[1] === SELF && process.argv[2] === 'child') {
  const [, , , arm, workload, epochs] = process.argv;
  await runChild(arm as Arm, workload as Workload, Number(epochs));
}
