import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { alternate } from '../lib/alternate.js';
import { BareLoop } from '../lib/bare-loop.js';
import { workloadHidden, workloadSplit } from '../lib/data.js';
import { runLossband } from '../lib/session.js';
import { quantile } from '../lib/stats.js';
import { EPOCHS, QUICK, REPS } from '../lib/settings.js';
import { fmt, type Row, type SectionResult } from '../lib/table.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRAPE_RATE = 20;
/** Scrapes per second while training: a Prometheus scraping every 100 ms, as the target was set. */
const TRAINING_SCRAPE_RATE = 10;

/** A plausible epoch event of run `run`. */
function event(run: string, epoch: number): EpochEvent {
  return {
    run,
    epoch,
    loss: 0.35,
    valLoss: 0.4,
    valAccuracy: 0.9,
    durationMs: 1.1,
    nonFinite: false,
    sigma: 0.2,
    draws: 1,
    smoothedLoss: 0.36,
    band: { lo: 0.3, hi: 0.4 },
    inBand: true,
    terms: { p: 0.1, i: 0.02, d: 0, error: 0.05 },
    timestamp: Date.now(),
  };
}

/** Where the run server answers: its own thread, or the main thread. */
type Mode = 'worker' | 'main';

/** `runs` runs' series (the app's metric group + process metrics) and a way to record an epoch on all of them. */
async function runRegistries(runs: number): Promise<{ registry: Registry; recordAll: (epoch: number) => void }> {
  const { LossbandMetrics, registerProcessMetrics } = await import('../../src/metrics/index.js');
  const registries: Registry[] = [];
  const groups: InstanceType<typeof LossbandMetrics>[] = [];
  for (let r = 0; r < runs; r++) {
    const registry = new Registry();
    if (r === 0) registerProcessMetrics(registry);
    const m = new LossbandMetrics(registry, { run: `run-${r}` });
    m.setInfo({
      model_name: 'mlp',
      architecture: '4-10-3',
      parameters: 83,
      dataset: 'iris',
      backend: 'wasm',
      controller: 'pid',
    });
    m.setSigmaLimits(0.001, 10);
    m.setState('running');
    for (let e = 1; e <= 50; e++) m.recordEpoch(event(`run-${r}`, e));
    registries.push(registry);
    groups.push(m);
  }
  // LossbandMetrics registers its own metric objects, so two runs cannot share one registry
  // (prom-client throws "already registered"): /metrics concatenates one registry per run.
  const first = registries[0] as Registry;
  const registry =
    runs === 1
      ? first
      : ({
          contentType: first.contentType,
          metrics: async () => (await Promise.all(registries.map((r) => r.metrics()))).join('\n'),
        } as unknown as Registry);
  return { registry, recordAll: (epoch) => groups.forEach((m, r) => m.recordEpoch(event(`run-${r}`, epoch))) };
}

async function startBenchServer(registry: Registry, mode: Mode) {
  const { startRunServer } = await import('../../src/server/index.js');
  const server = await startRunServer({
    registry,
    mode,
    portExplicit: false,
    ephemeral: true,
    log: pino({ level: 'silent' }),
  });
  if (server === undefined) throw new Error('metrics server did not start');
  if (server.mode !== mode) throw new Error(`asked for a ${mode} server, got ${server.mode}`);
  return server;
}

/** `/metrics` latency with `runs` runs' series on an idle process: sequential requests, after 20 warm-up ones. */
async function scrapeLatency(
  runs: number,
  mode: Mode,
  requests: number,
): Promise<{ p50: number; p99: number; bytes: number; series: number }> {
  const { registry } = await runRegistries(runs);
  const server = await startBenchServer(registry, mode);
  const latencies: number[] = [];
  let body = '';
  try {
    for (let i = 0; i < requests + 20; i++) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/metrics`);
      body = await res.text();
      if (i >= 20) latencies.push(performance.now() - t0);
    }
  } finally {
    await server.close();
  }
  const series = body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), bytes: body.length, series };
}

/**
 * A Prometheus stand-in in plain JavaScript (light, no tsx): GETs URL at RATE/s on a fixed
 * schedule, not waiting for answers; on SIGTERM it waits for the requests in flight and
 * prints the latencies. Requests of its first second are left out (its own warm-up).
 */
const SCRAPER = `
const [url, rate] = process.argv.slice(1);
const latencies = [];
let errors = 0, inFlight = 0;
const started = performance.now();
const scrape = async () => {
  const warmUp = performance.now() - started < 1000;
  inFlight += 1;
  const t0 = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(15000) });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(String(res.status));
    if (!warmUp) latencies.push(performance.now() - t0);
  } catch { errors += 1; }
  inFlight -= 1;
};
const timer = setInterval(() => void scrape(), 1000 / Number(rate));
process.once('SIGTERM', () => {
  clearInterval(timer);
  const done = () => process.stdout.write(JSON.stringify({ latencies, errors }) + '\\n', () => process.exit(0));
  const wait = () => (inFlight === 0 ? done() : setTimeout(wait, 10));
  wait();
});
process.stdout.write('ready\\n');
`;

/**
 * `/metrics` latency while the main thread trains the mid-size model (the bench's bare tfjs
 * loop, one synchronous epoch of a few hundred ms at a time, yielding between epochs as
 * `train()` does, publishing after each as the run layer may) and a child process scrapes at
 * {@link TRAINING_SCRAPE_RATE}/s for `seconds`.
 */
async function scrapeWhileTraining(
  runs: number,
  mode: Mode,
  seconds: number,
): Promise<{ p50: number; p99: number; max: number; ok: number; errors: number; epochMs: number; epochs: number }> {
  const { registry, recordAll } = await runRegistries(runs);
  const server = await startBenchServer(registry, mode);
  const loop = new BareLoop(workloadSplit('mid'), workloadHidden('mid'));
  const child = spawn(process.execPath, ['-e', SCRAPER, `${server.url}/metrics`, String(TRAINING_SCRAPE_RATE)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const durations: number[] = [];
  try {
    while (!out.includes('ready\n')) await new Promise((r) => setTimeout(r, 10));
    const until = performance.now() + seconds * 1000;
    for (let epoch = 51; performance.now() < until; epoch++) {
      const t0 = performance.now();
      loop.step(0.1);
      recordAll(epoch);
      server.publish();
      durations.push(performance.now() - t0);
      await new Promise((r) => setImmediate(r));
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  } finally {
    child.kill('SIGKILL');
    loop.dispose();
    await server.close();
  }
  const { latencies, errors } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    latencies: number[];
    errors: number;
  };
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: quantile(latencies, 1),
    ok: latencies.length,
    errors,
    epochMs: quantile(durations, 0.5),
    epochs: durations.length,
  };
}

/** Summary a scraper child prints when stopped. */
interface ScrapeSummary {
  readonly ok: number;
  readonly errors: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

/** Starts a scraper child process against `url`; resolves once it is scraping, with its stopper. */
function startScraper(url: string): Promise<() => Promise<ScrapeSummary>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/lib/scraper.ts'), url, String(SCRAPE_RATE), '600'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      const first = out === '';
      out += d.toString();
      if (first && out.startsWith('ready')) {
        resolve(async () => {
          child.kill('SIGTERM');
          await exited;
          return JSON.parse(out.trim().split('\n').pop() ?? '{}') as ScrapeSummary;
        });
      }
    });
  });
}

/**
 * Section 6: `/metrics` latency with 1 and 100 runs' series, with the run server in worker
 * and in main mode, on an idle process and while the mid model trains on the main thread;
 * and how much a live lossband run slows down while a child process scrapes it 20×/s
 * (alternated with unscraped runs).
 */
export async function metricsPath(): Promise<SectionResult> {
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  if (!fs.existsSync(path.join(ROOT, 'src/metrics/index.ts'))) {
    rows.push({
      section: '6 metrics',
      what: '/metrics latency',
      result: 'TODO',
      note: 'src/metrics/ does not exist yet',
    });
    return { rows, data };
  }
  for (const runs of [1, 100]) {
    for (const mode of ['worker', 'main'] as const) {
      const r = await scrapeLatency(runs, mode, QUICK ? 100 : 500);
      data[`latency${runs}_${mode}`] = r;
      rows.push({
        section: '6 metrics',
        what: `/metrics latency, ${runs} run${runs > 1 ? 's' : ''}' series, ${mode} mode, idle`,
        result: `p50 ${fmt(r.p50, 2)} / p99 ${fmt(r.p99, 2)} ms`,
        note: `${r.series} series, ${fmt(r.bytes / 1024, 0)} KiB`,
      });
    }
  }
  for (const runs of [1, 100]) {
    for (const mode of ['worker', 'main'] as const) {
      const r = await scrapeWhileTraining(runs, mode, QUICK ? 6 : 20);
      data[`training${runs}_${mode}`] = r;
      rows.push({
        section: '6 metrics',
        what: `/metrics while the mid model trains, ${runs} run${runs > 1 ? 's' : ''}' series, ${mode} mode, ${TRAINING_SCRAPE_RATE}/s`,
        result: `p50 ${fmt(r.p50, 1)} / p99 ${fmt(r.p99, 1)} ms`,
        target: mode === 'worker' ? 'p99 ≤ 20 ms' : '',
        ok: mode === 'worker' ? r.p99 <= 20 && r.errors === 0 : undefined,
        note: `max ${fmt(r.max, 1)} ms, ${r.ok} ok, ${r.errors} errors; epoch p50 ${fmt(r.epochMs, 0)} ms × ${r.epochs}`,
      });
    }
  }
  for (const model of ['iris', 'mid'] as const) {
    const epochs = EPOCHS[model];
    let scrapes: ScrapeSummary | undefined;
    let served = true;
    const ab = await alternate(
      REPS,
      async () => {
        let stop: (() => Promise<ScrapeSummary>) | undefined;
        try {
          const s = await runLossband({
            model,
            epochs,
            onUrl: async (u) => void (stop = await startScraper(`${u}/metrics`)),
          });
          served = s.wiring.server;
          return s.msPerEpoch;
        } finally {
          scrapes = await stop?.();
        }
      },
      async () => (await runLossband({ model, epochs })).msPerEpoch,
    );
    data[`scraped_${model}`] = { epochs, scrapedMsPerEpoch: ab.a, quietMsPerEpoch: ab.b, lastScrapes: scrapes, served };
    rows.push({
      section: '6 metrics',
      what: `${model === 'iris' ? 'Iris' : 'mid'} training slow-down under ${SCRAPE_RATE} scrapes/s`,
      result: served ? `${fmt((ab.ratio - 1) * 100, 1)} %` : 'TODO',
      note: served
        ? `${fmt(ab.medianA, 3)} vs ${fmt(ab.medianB, 3)} ms/epoch; scrape p50 ${fmt(scrapes?.p50 ?? NaN, 1)} / p99 ${fmt(scrapes?.p99 ?? NaN, 1)} ms during training`
        : 'the CLI run serves no /metrics yet',
    });
  }
  return { rows, data };
}
