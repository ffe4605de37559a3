import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { interleave } from '../lib/alternate.js';
import { median, medianRatio } from '../lib/stats.js';
import { EPOCHS, PYTHONS, REPS } from '../lib/settings.js';
import { fmt, type Row, type SectionResult } from '../lib/table.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED_PY = path.join(ROOT, 'bench/peer/seed.py');

/** The first interpreter that imports torch and sklearn, or why none did. */
function findPython(): { python?: string; reason: string } {
  const tried: string[] = [];
  for (const python of PYTHONS) {
    const r = spawnSync(python, ['-c', 'import torch, sklearn; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python, reason: `torch ${r.stdout.trim()}` };
    tried.push(`${python}: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
  }
  return { reason: tried.join('; ') };
}

/** Whole-process wall time of a command in ms, plus its stderr; throws on a non-zero exit. */
function wall(cmd: string, args: readonly string[]): { ms: number; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-300)}`);
  return { ms, stderr: r.stderr };
}

/** `node bin/lossband.js run …`: whole-process ms and training-phase ms/epoch. */
function lossbandCli(args: readonly string[], epochs: number): { ms: number; perEpoch: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-peer-'));
  try {
    const out = path.join(dir, 'run');
    const { ms } = wall(process.execPath, [
      'bin/lossband.js',
      'run',
      ...args,
      '--epochs',
      String(epochs),
      '--port',
      '0',
      '--quiet',
      '--out',
      out,
    ]);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as {
      phases: { training: number };
    };
    return { ms, perEpoch: (summary.phases.training * 1000) / epochs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `python3 bench/peer/seed.py …`: whole-process ms and its own training-loop ms/epoch. */
function torchRun(python: string, args: readonly string[]): { ms: number; perEpoch: number } {
  const { ms, stderr } = wall(python, [SEED_PY, ...args]);
  const m = /([\d.]+) ms\/epoch/.exec(stderr);
  return { ms, perEpoch: Number(m?.[1] ?? NaN) };
}

/** Newest mtime under src/ vs dist/ (the CLI runs the compiled dist/). */
function distIsStale(): boolean {
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, d) => {
      const p = path.join(dir, d.name);
      return Math.max(m, d.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }, 0);
  return newest(path.join(ROOT, 'src')) > newest(path.join(ROOT, 'dist'));
}

/**
 * Section 5: lossband's CLI against the seed program itself in PyTorch, whole process and
 * per epoch, interleaved: lossband, torch with one thread, torch with its default threads.
 */
export async function peer(): Promise<SectionResult> {
  const { python, reason } = findPython();
  if (python === undefined) {
    return {
      rows: [
        {
          section: '5 peer',
          what: 'lossband ÷ PyTorch seed program',
          result: 'skipped',
          note: `torch/sklearn missing (${reason.slice(0, 90)})`,
        },
      ],
      data: { skipped: reason },
    };
  }
  const stale = distIsStale();
  const rows: Row[] = [];
  const data: Record<string, unknown> = { python, torch: reason, distStale: stale };
  const workloads = [
    { name: 'Iris', epochs: EPOCHS.iris, lb: ['--preset', 'seed'], py: [] as string[], target: 1.5 },
    {
      name: 'mid',
      epochs: EPOCHS.mid,
      lb: ['--data', 'blobs', '--hidden', '256', '--draws', '1'],
      py: ['--mid'],
      target: undefined,
    },
  ];
  for (const w of workloads) {
    const lb: { ms: number; perEpoch: number }[] = [];
    const t1: { ms: number; perEpoch: number }[] = [];
    const td: { ms: number; perEpoch: number }[] = [];
    const push = <T extends { ms: number }>(into: T[], r: T): number => (into.push(r), r.ms);
    await interleave(REPS, [
      () => push(lb, lossbandCli(w.lb, w.epochs)),
      () => push(t1, torchRun(python, [String(w.epochs), ...w.py, '--threads', '1'])),
      () => push(td, torchRun(python, [String(w.epochs), ...w.py])),
    ]);
    const ms = (xs: { ms: number }[]): number[] => xs.map((x) => x.ms);
    const per = (xs: { perEpoch: number }[]): number[] => xs.map((x) => x.perEpoch);
    const whole1 = medianRatio(ms(lb), ms(t1));
    const wholeD = medianRatio(ms(lb), ms(td));
    data[w.name] = { epochs: w.epochs, lossband: lb, torch1: t1, torchDefault: td };
    rows.push({
      section: '5 peer',
      what: `${w.name} ${w.epochs} ep whole process: lossband ÷ torch (1 thread)`,
      result: `${fmt(whole1, 2)}×`,
      target: w.target === undefined ? '' : `≤ ${w.target}×`,
      ok: w.target === undefined ? undefined : whole1 <= w.target,
      note: `${fmt(median(ms(lb)) / 1000, 2)} s vs ${fmt(median(ms(t1)) / 1000, 2)} s; default threads: ${fmt(wholeD, 2)}×${stale ? '; dist/ older than src/ — npm run build' : ''}`,
    });
    rows.push({
      section: '5 peer',
      what: `${w.name} per epoch: lossband ÷ torch (1 thread)`,
      result: `${fmt(medianRatio(per(lb), per(t1)), 2)}×`,
      note: `${fmt(median(per(lb)), 3)} vs ${fmt(median(per(t1)), 3)} ms; default threads ${fmt(median(per(td)), 3)} ms${w.name === 'mid' ? '; torch does no validation pass' : ''}`,
    });
  }
  return { rows, data };
}
