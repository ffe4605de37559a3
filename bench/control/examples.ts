import { spawn } from 'node:child_process';
import path from 'node:path';
import { cell, render } from './table.js';
import { median } from './summarize.js';

/** One run of an example, as its printed lines tell it. */
export interface ExampleRun {
  readonly seed: number;
  readonly epochs: number;
  /** Of the loss lossband holds (the run's `loss`): first entry and share in band after it. */
  readonly firstInBandEpoch: number | null;
  readonly inBandFraction: number | null;
  /** The same share for the mean `fit` logs (printed as `fit-mean`), where the example prints it. */
  readonly fitMeanInBandFraction: number | null;
  readonly lastSigma: number | null;
  readonly seconds: number;
}

/** The examples the rows run, with their defaults (`main.ts` without flags but the seed). */
export const EXAMPLES = {
  'digits-cnn': { title: 'example (a) digits-cnn: conv net, model.fit + bandCallback [0.25, 0.35]', epochs: 60 },
  'regression-mse': { title: 'example (b) regression-mse: TfjsModelPlant, band on the MSE [0.20, 0.30]', epochs: 80 },
} as const;
export type ExampleName = keyof typeof EXAMPLES;

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Share of `values` in [lo, hi] from the first one inside; null if none is. */
function shareAfterEntry(values: readonly number[], lo: number, hi: number): number | null {
  const first = values.findIndex((v) => v >= lo && v <= hi);
  if (first < 0) return null;
  const after = values.slice(first);
  return after.filter((v) => v >= lo && v <= hi).length / after.length;
}

/** Runs `examples/NAME/main.ts --seed SEED` (and `extra`) as a user would, against dist/. */
export function runExample(name: ExampleName, seed: number, extra: readonly string[] = []): Promise<ExampleRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const out = path.join('/tmp', `lossband-bench-${name}-${seed}-${process.pid}-${Date.now()}`);
    const args = ['--import', 'tsx', path.join('examples', name, 'main.ts'), '--seed', String(seed), ...extra];
    if (name === 'digits-cnn') args.push('--out', out);
    const child = spawn(process.execPath, args, { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name} seed ${seed} exited ${code}: ${stderr.slice(-400)}`));
      const lines = stdout.trim().split('\n');
      const summary = JSON.parse(lines.at(-1) ?? '{}') as {
        epochs: number;
        band: { lo: number; hi: number };
        firstInBandEpoch: number | null;
        inBandFraction: number | null;
        lastSigma: number | null;
      };
      const fitMeans = lines.map((l) => /fit-mean (\d+\.\d+)/.exec(l)?.[1]).filter((v) => v !== undefined);
      resolve({
        seed,
        epochs: summary.epochs,
        firstInBandEpoch: summary.firstInBandEpoch,
        inBandFraction: summary.inBandFraction,
        fitMeanInBandFraction: fitMeans.length
          ? shareAfterEntry(fitMeans.map(Number), summary.band.lo, summary.band.hi)
          : null,
        lastSigma: summary.lastSigma,
        seconds: (performance.now() - t0) / 1000,
      });
    });
  });
}

/** Runs `seeds` of an example, `concurrency` processes at a time, in seed order in the result. */
export async function runExampleSeeds(
  name: ExampleName,
  seeds: readonly number[],
  concurrency: number,
  extra: readonly string[] = [],
  log: (line: string) => void = () => {},
): Promise<ExampleRun[]> {
  const out: ExampleRun[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < seeds.length) {
      const seed = seeds[next++] as number;
      log(`${name}${extra.length ? ` ${extra.join(' ')}` : ''} seed ${seed}…`);
      out.push(await runExample(name, seed, extra));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, seeds.length) }, worker));
  return out.sort((a, b) => a.seed - b.seed);
}

/** The row's table: per seed, then median and worst. */
export function exampleTable(title: string, variants: Readonly<Record<string, readonly ExampleRun[]>>): string {
  const rows = [['variant', 'seed', 'first', 'inBand', 'fit-mean inBand', 'σ end', 'wall s']];
  for (const [label, runs] of Object.entries(variants)) {
    for (const r of runs) {
      rows.push([
        label,
        String(r.seed),
        cell(r.firstInBandEpoch),
        cell(r.inBandFraction, 3),
        cell(r.fitMeanInBandFraction, 3),
        cell(r.lastSigma),
        cell(r.seconds, 0),
      ]);
    }
    const share = runs.map((r) => r.inBandFraction);
    const worst = share.some((s) => s === null) ? NaN : Math.min(...(share as number[]));
    rows.push([label, 'median / worst', '', `${cell(median(share), 3)} / ${cell(worst, 3)}`, '', '', '']);
  }
  return `${title}\n${render(rows)}`;
}
