import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandSweep } from '../../src/sweep/expand-sweep.js';
import { parseSweep } from '../../src/sweep/parse-sweep.js';
import type { SweepPoint } from '../../src/sweep/expand-sweep.js';
import { interleave } from '../lib/alternate.js';
import { EPOCHS, PYTHONS, REPS } from '../lib/settings.js';
import { median, medianRatio } from '../lib/stats.js';
import { fmt, type Row, type SectionResult } from '../lib/table.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SWEEP_FILE = path.join(ROOT, 'examples/sweep.yaml');
const SEED_PY = path.join(ROOT, 'bench/peer/seed.py');
const PEER_PARALLEL = 2;

/** GNU time, for the CPU seconds of a child (user + system); absent on some machines. */
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** CPU seconds (user + system) of the processes measured so far, per arm. */
const cpu = { sequential: 0, sweep: 0 };

/** Whole-process wall time of one command in ms (its CPU seconds added to `cpu[arm]`); throws on a non-zero exit. */
function wall(cmd: string, args: readonly string[], arm?: keyof typeof cpu): number {
  const cpuFile = path.join(os.tmpdir(), `lossband-bench-cpu-${process.pid}`);
  const [run, runArgs] = TIME && arm ? [TIME, ['-f', '%U %S', '-o', cpuFile, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(run, runArgs, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(' ')} exited ${r.status}: ${r.stderr.slice(-300)}`);
  if (TIME && arm)
    cpu[arm] += fs
      .readFileSync(cpuFile, 'utf8')
      .trim()
      .split(/\s+/)
      .slice(-2)
      .map(Number)
      .reduce((a, b) => a + b, 0);
  return ms;
}

/** Runs the commands `parallel` at a time; resolves with the wall time of the whole batch in ms. */
async function batch(cmd: string, argss: readonly (readonly string[])[], parallel: number): Promise<number> {
  const t0 = performance.now();
  const queue = [...argss];
  const lane = async (): Promise<void> => {
    for (let args = queue.shift(); args !== undefined; args = queue.shift()) {
      const code = await new Promise<number | null>((resolve) =>
        spawn(cmd, args, { cwd: ROOT, stdio: 'ignore' }).once('exit', resolve),
      );
      if (code !== 0) throw new Error(`${path.basename(cmd)} exited ${code}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return performance.now() - t0;
}

function findPython(): string | undefined {
  return PYTHONS.find((python) => spawnSync(python, ['-c', 'import torch, sklearn'], { stdio: 'ignore' }).status === 0);
}

const finalLosses = (dir: string, points: readonly SweepPoint[]): (number | null)[] =>
  points.map(
    (p) =>
      (JSON.parse(fs.readFileSync(path.join(dir, p.name, 'summary.json'), 'utf8')) as { finalLoss: number | null })
        .finalLoss,
  );

/**
 * Section 9 (issue 13 §6): the 8-point Iris sweep of `examples/sweep.yaml` (2000 epochs each)
 * as a user would run it, whole process, interleaved each repetition:
 *
 * - sequential: 8 × `lossband run --config <point> --port 0 --quiet`, one after the other;
 * - sweep: `lossband sweep examples/sweep.yaml --port 0 --quiet` at the default concurrency;
 * - peer: the PyTorch seed program (`peer/seed.py 2000 --threads 1 --quiet`) as 8 processes,
 *   2 at a time.
 *
 * Throughput is points per second; the ratio is the median of per-repetition ratios. The
 * sweep's final losses are checked against the sequential runs' (the same points, bit for bit).
 */
export async function sweepThroughput(): Promise<SectionResult> {
  const text = fs.readFileSync(SWEEP_FILE, 'utf8').replace(/^(\s+epochs:) 2000$/m, `$1 ${EPOCHS.iris}`);
  const points = expandSweep(parseSweep(text, SWEEP_FILE));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-bench-sweep-'));
  const file = path.join(work, 'sweep.yaml');
  fs.writeFileSync(file, text);
  const configs = points.map((p) => {
    const config = path.join(work, `${p.name}.json`);
    fs.writeFileSync(config, JSON.stringify(p.config));
    return config;
  });
  const python = findPython();
  const node = process.execPath;
  const cli = path.join(ROOT, 'bin/lossband.js');
  let seqRuns = 0;
  let sweepRuns = 0;
  cpu.sequential = 0;
  cpu.sweep = 0;
  try {
    const sequential = (): number => {
      const dir = path.join(work, `seq-${seqRuns++}`);
      return points.reduce(
        (sum, p, i) =>
          sum +
          wall(
            node,
            [cli, 'run', '--config', configs[i] as string, '--port', '0', '--quiet', '--out', path.join(dir, p.name)],
            'sequential',
          ),
        0,
      );
    };
    const sweep = (): number =>
      wall(
        node,
        [cli, 'sweep', file, '--port', '0', '--quiet', '--out', path.join(work, `sweep-${sweepRuns++}`)],
        'sweep',
      );
    const peer = async (): Promise<number> =>
      python === undefined
        ? Number.NaN
        : batch(
            python,
            points.map(() => [SEED_PY, String(EPOCHS.iris), '--threads', '1', '--quiet']),
            PEER_PARALLEL,
          );
    const [seqMs = [], sweepMs = [], peerMs = []] = await interleave(REPS, [sequential, sweep, peer]);
    // The same points, the same numbers: a sweep's run is the run `lossband run` trains.
    const reference = JSON.stringify(finalLosses(path.join(work, 'seq-0'), points));
    const same = Array.from(
      { length: sweepRuns },
      (_, i) => JSON.stringify(finalLosses(path.join(work, `sweep-${i}`), points)) === reference,
    );
    const n = points.length;
    const speedup = medianRatio(seqMs, sweepMs);
    const perSec = (ms: number): number => n / (ms / 1000);
    const rows: Row[] = [
      {
        section: '9 sweep',
        what: `${n}-point Iris sweep, ${EPOCHS.iris} ep each, whole process: sweep ÷ sequential throughput`,
        result: `${fmt(speedup, 2)}×`,
        target: '≥ 1.7×',
        ok: speedup >= 1.7,
        note: `sweep ${fmt(median(sweepMs) / 1000, 1)} s (${fmt(perSec(median(sweepMs)), 2)} runs/s, concurrency ${os.availableParallelism()}) vs ${n} × run ${fmt(median(seqMs) / 1000, 1)} s; final losses identical: ${same.length ? (same.every(Boolean) ? 'yes' : 'NO') : 'n/a'}`,
      },
      {
        section: '9 sweep',
        what: 'CPU seconds (user + system), all 8 runs: sweep ÷ sequential',
        result: TIME ? `${fmt(cpu.sweep / cpu.sequential, 2)}×` : 'skipped',
        note: TIME
          ? `${fmt(cpu.sweep / sweepRuns, 1)} s vs ${fmt(cpu.sequential / seqRuns, 1)} s per sweep; with 2 idle cores the wall-time ratio could reach ${fmt((2 * cpu.sequential) / seqRuns / (cpu.sweep / sweepRuns), 2)}× — a busy machine shares them`
          : 'no /usr/bin/time',
      },
      python === undefined
        ? {
            section: '9 sweep',
            what: 'peer: PyTorch seed program, 8 processes 2 at a time',
            result: 'skipped',
            note: 'no python3 with torch and sklearn',
          }
        : {
            section: '9 sweep',
            what: `peer: PyTorch seed program × ${n}, ${PEER_PARALLEL} at a time ÷ lossband sweep (wall)`,
            result: `${fmt(medianRatio(peerMs, sweepMs), 2)}×`,
            note: `torch ${fmt(median(peerMs) / 1000, 1)} s (${fmt(perSec(median(peerMs)), 2)} runs/s) vs sweep ${fmt(median(sweepMs) / 1000, 1)} s; > 1 = the sweep is faster`,
          },
    ];
    return {
      rows,
      data: {
        points: n,
        epochs: EPOCHS.iris,
        concurrency: os.availableParallelism(),
        sequentialMs: seqMs,
        sweepMs,
        peerMs,
        sameFinalLosses: same,
        cpuSecondsPerArm: TIME ? { sequential: cpu.sequential / seqRuns, sweep: cpu.sweep / sweepRuns } : null,
        loadAverage: os.loadavg(),
        python: python ?? null,
      },
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
