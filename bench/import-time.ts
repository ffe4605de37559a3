/**
 * `npm run bench:imports`: wall time of a fresh `node` that imports each entry point of the
 * built package (run `npm run build` first), minus an empty `node` — the cost a user pays for
 * `import … from 'lossband'`. Entry points are interleaved within each repetition; medians of
 * BENCH_REPS (default 7). Writes bench/results/import-time.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const reps = Number(process.env.BENCH_REPS ?? 7);
const entries = ['', 'lossband', 'lossband/server', 'lossband/report', 'lossband/tfjs'];

function once(specifier: string): number {
  const code = specifier === '' ? '' : `await import(${JSON.stringify(specifier)})`;
  const t0 = performance.now();
  execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root });
  return performance.now() - t0;
}

const times = new Map<string, number[]>(entries.map((e) => [e, []]));
for (let r = 0; r < reps; r++)
  for (const e of r % 2 === 0 ? entries : [...entries].reverse()) times.get(e)?.push(once(e));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const base = median(times.get('') ?? []);
const rows = entries.slice(1).map((e) => ({ entry: e, medianMs: Math.round(median(times.get(e) ?? []) - base) }));
console.log(`node start (empty) ${Math.round(base)} ms; import cost above it, median of ${reps}:`);
console.log('| entry point | import time |\n|---|---|');
for (const r of rows) console.log(`| \`import '${r.entry}'\` | ${r.medianMs} ms |`);
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(
  path.join(root, 'bench/results/import-time.json'),
  JSON.stringify({ reps, baseMs: base, rows, raw: Object.fromEntries(times) }, null, 2) + '\n',
);
