/**
 * `npm run bench:soak`: one long Iris run as a child process (`lossband run --epochs N
 * --port P --quiet --out TMP`), with `/metrics` scraped every second, checking that a run can
 * go on for 100,000 epochs without leaking:
 *
 * - RSS growth after warm-up (`process_resident_memory_bytes`; target ≤ 10 MB),
 * - tensor count constant (any `*tensor*` gauge on /metrics; reported as missing otherwise),
 * - event-loop lag p99 (`nodejs_eventloop_lag_p99_seconds`, which prom-client resets at every
 *   scrape, so each sample is one second's p99; target ≤ 50 ms), plus /metrics latency as an
 *   outside probe,
 * - events.jsonl complete: N lines holding epochs 1..N in order.
 *
 * Prints a table and writes bench/results/soak-<backend>.json. `SOAK_EPOCHS=20000` shortens it;
 * `SOAK_BACKEND=auto` soaks the plain-JS engine instead of wasm.
 * Not part of the test suite (ARCHITECTURE.md, rule 8).
 */
import { spawn } from 'node:child_process';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './lib/free-port.js';
import { quantile } from './lib/stats.js';
import { fmt, renderTable, type Row } from './lib/table.js';
import { checkEvents } from './soak/check-events.js';
import { metricNames, sampleValue } from './soak/prom-text.js';

const EPOCHS = Number(process.env.SOAK_EPOCHS ?? 100_000);
/** Engine under test: `wasm` (default) exercises tfjs tensor bookkeeping; `js`/`auto` the plain-JS engine. */
const BACKEND = process.env.SOAK_BACKEND ?? 'wasm';
const SCRAPE_EVERY_MS = 1000;
const SCRAPE_TIMEOUT_MS = 5000;
/** Share of the epochs treated as warm-up (JIT, allocator and tfjs caches settling). */
const WARMUP = 0.1;
const TARGET_RSS_MB = 10;
const TARGET_LAG_MS = 50;
const MB = 1024 * 1024;

interface Sample {
  /** Seconds since the child started. */
  readonly t: number;
  readonly epochs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number | undefined;
  readonly lagP99Seconds: number | undefined;
  readonly tensors: number | undefined;
  /** How long /metrics took to answer, in ms: the event loop as seen from outside. */
  readonly scrapeMs: number;
}

if (!Number.isInteger(EPOCHS) || EPOCHS < 100)
  throw new RangeError(`Invalid SOAK_EPOCHS: ${process.env.SOAK_EPOCHS} (expected an integer >= 100)`);
const root = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-soak-'));
const out = path.join(tmp, 'run');
const port = await freePort();
const url = `http://127.0.0.1:${port}/metrics`;
const started = new Date();
const t0 = performance.now();
process.stderr.write(`soak: ${EPOCHS} Iris epochs, scraping ${url} every ${SCRAPE_EVERY_MS / 1000} s…\n`);

const child = spawn(
  process.execPath,
  [
    path.join(root, 'bin/lossband.js'),
    'run',
    '--backend',
    BACKEND,
    '--epochs',
    String(EPOCHS),
    '--port',
    String(port),
    '--quiet',
    '--out',
    out,
  ],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOSSBAND_TOKEN: '' },
  },
);
let childOutput = '';
const keep = (chunk: Buffer): void => void (childOutput = (childOutput + chunk.toString('utf8')).slice(-16_384));
child.stdout.on('data', keep);
child.stderr.on('data', keep);
const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
let running = true;
void exited.then(() => (running = false));

const samples: Sample[] = [];
let tensorMetric: string | undefined;
let failedScrapes = 0;
// One scrape at a time, each with a timeout, so a stalled child cannot pile them up.
while (running) {
  const start = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    const text = await res.text();
    const scrapeMs = performance.now() - start;
    tensorMetric ??= metricNames(text, /tensor/i)[0];
    const rssBytes = sampleValue(text, 'process_resident_memory_bytes');
    const epochs = sampleValue(text, 'lossband_epochs_total');
    if (res.ok && rssBytes !== undefined && epochs !== undefined) {
      samples.push({
        t: (start - t0) / 1000,
        epochs,
        rssBytes,
        heapUsedBytes: sampleValue(text, 'nodejs_heap_size_used_bytes'),
        lagP99Seconds: sampleValue(text, 'nodejs_eventloop_lag_p99_seconds'),
        tensors: tensorMetric === undefined ? undefined : sampleValue(text, tensorMetric),
        scrapeMs,
      });
    }
  } catch {
    if (samples.length > 0) failedScrapes += 1; // before the first answer the server is still starting
  }
  await Promise.race([sleep(Math.max(0, SCRAPE_EVERY_MS - (performance.now() - start))), exited]);
}
const exitCode = await exited;
const wallSeconds = (performance.now() - t0) / 1000;

const warm = samples.filter((s) => s.epochs >= EPOCHS * WARMUP && s.epochs < EPOCHS);
const median = (xs: readonly number[]): number => (xs.length ? quantile(xs, 0.5) : NaN);
// Medians over the first and last fifth after warm-up, so one GC sawtooth does not decide it.
const fifth = Math.max(5, Math.floor(warm.length / 5));
const head = warm.slice(0, fifth);
const tail = warm.slice(-fifth);
const rssGrowthMb = (median(tail.map((s) => s.rssBytes)) - median(head.map((s) => s.rssBytes))) / MB;
const heapGrowthMb =
  (median(tail.map((s) => s.heapUsedBytes ?? NaN)) - median(head.map((s) => s.heapUsedBytes ?? NaN))) / MB;
const rssSlope = slope(warm.map((s) => [s.epochs, s.rssBytes / MB]));
const lags = warm.flatMap((s) => (s.lagP99Seconds === undefined ? [] : [s.lagP99Seconds * 1000]));
const scrapes = warm.map((s) => s.scrapeMs);
const tensors = warm.flatMap((s) => (s.tensors === undefined ? [] : [s.tensors]));
const events = await checkEvents(path.join(out, 'events.jsonl'));
const summary = readJson(path.join(out, 'summary.json')) as { state?: string; epochs?: number } | undefined;
const trainSeconds = samples.length > 1 ? (samples.at(-1) as Sample).t - (samples[0] as Sample).t : NaN;
const epochsPerSecond =
  samples.length > 1 ? ((samples.at(-1) as Sample).epochs - (samples[0] as Sample).epochs) / trainSeconds : NaN;

const enough = warm.length >= 10;
const rows: Row[] = [
  {
    section: 'soak',
    what: `run: ${EPOCHS} Iris epochs`,
    result: `exit ${exitCode}, ${summary?.state ?? 'no summary'}`,
    target: 'exit 0, finished',
    ok: exitCode === 0 && summary?.state === 'finished',
    note: `${fmt(wallSeconds, 0)} s wall, ${fmt(epochsPerSecond, 0)} epochs/s, ${samples.length} scrapes (${failedScrapes} failed)`,
  },
  {
    section: 'soak',
    what: 'RSS growth after warm-up',
    result: `${fmt(rssGrowthMb)} MB`,
    target: `≤ ${TARGET_RSS_MB} MB`,
    ok: enough ? rssGrowthMb <= TARGET_RSS_MB : undefined,
    note: `${fmt(median(head.map((s) => s.rssBytes)) / MB, 0)} → ${fmt(median(tail.map((s) => s.rssBytes)) / MB, 0)} MB; slope ${fmt(rssSlope * 10_000)} MB/10k epochs; heap ${fmt(heapGrowthMb)} MB`,
  },
  {
    section: 'soak',
    what: 'tensor count constant',
    result:
      tensorMetric === undefined || tensors.length === 0 ? 'n/a' : `${Math.min(...tensors)}–${Math.max(...tensors)}`,
    target: 'constant',
    ok: tensorMetric === undefined || tensors.length === 0 ? undefined : Math.min(...tensors) === Math.max(...tensors),
    note:
      tensorMetric === undefined || tensors.length === 0
        ? 'no tensors: the plain-JS engine allocates none (lossband_tensors is absent)'
        : tensorMetric,
  },
  {
    section: 'soak',
    what: 'event-loop lag p99 (1-s windows)',
    result: `${fmt(lags.length ? quantile(lags, 0.99) : NaN)} ms`,
    target: `≤ ${TARGET_LAG_MS} ms`,
    ok: lags.length ? quantile(lags, 0.99) <= TARGET_LAG_MS : undefined,
    note: `median window ${fmt(median(lags))} ms, worst ${fmt(lags.length ? Math.max(...lags) : NaN)} ms`,
  },
  {
    section: 'soak',
    what: '/metrics latency while training',
    result: `p99 ${fmt(scrapes.length ? quantile(scrapes, 0.99) : NaN)} ms`,
    note: `median ${fmt(median(scrapes))} ms, max ${fmt(scrapes.length ? Math.max(...scrapes) : NaN)} ms`,
  },
  {
    section: 'soak',
    what: 'events.jsonl complete',
    result: `${events.lines} lines, ${events.inOrder ? 'in order' : 'out of order'}`,
    target: `${EPOCHS}, 1..${EPOCHS}`,
    ok: events.lines === EPOCHS && events.inOrder,
    note: events.firstBad ? `line ${events.firstBad.line}: ${events.firstBad.text}` : '',
  },
];
if (!enough)
  rows.push({
    section: 'soak',
    what: 'warning',
    result: `${warm.length} samples after warm-up`,
    note: 'too few for the growth figures; run more epochs',
  });

const git = (cmd: string): string => {
  try {
    return execSync(cmd, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};
const resultsDir = path.join(root, 'bench/results');
fs.mkdirSync(resultsDir, { recursive: true });
const results = {
  name: 'soak',
  started: started.toISOString(),
  epochs: EPOCHS,
  node: process.version,
  cpus: os.cpus().length,
  git: git('git rev-parse HEAD'),
  wallSeconds,
  exitCode,
  summary,
  rows,
  figures: {
    rssGrowthMb,
    heapGrowthMb,
    rssSlopeMbPer10kEpochs: rssSlope * 10_000,
    lagP99Ms: lags.length ? quantile(lags, 0.99) : null,
    scrapeP99Ms: scrapes.length ? quantile(scrapes, 0.99) : null,
    tensorMetric: tensorMetric ?? null,
    events,
    epochsPerSecond,
  },
  samples,
  childOutputTail: childOutput.slice(-4000),
};
const resultFile = `soak-${BACKEND}.json`;
fs.writeFileSync(path.join(resultsDir, resultFile), JSON.stringify(results, null, 2) + '\n');
process.stdout.write(
  `lossband soak ${started.toISOString()} — ${EPOCHS} epochs, node ${process.version}, ${os.cpus().length} cpus, git ${git('git rev-parse --short HEAD')}, ${fmt(wallSeconds, 0)} s\n\n${renderTable(rows)}\n\nwrote bench/results/${resultFile}\n`,
);
if (exitCode !== 0) process.stderr.write(`soak: the run exited ${exitCode}:\n${childOutput.slice(-2000)}\n`);
fs.rmSync(tmp, { recursive: true, force: true });

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxy / sxx;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
