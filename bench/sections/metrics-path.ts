import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { alternate } from '../lib/alternate.js';
import { runLossband } from '../lib/session.js';
import { quantile } from '../lib/stats.js';
import { EPOCHS, QUICK, REPS } from '../lib/settings.js';
import { fmt, type Row, type SectionResult } from '../lib/table.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRAPE_RATE = 20;

/** A plausible epoch event of run `run`. */
function event(run: string, epoch: number): EpochEvent {
  return {
    run, epoch, loss: 0.35, valLoss: 0.4, valAccuracy: 0.9, durationMs: 1.1, nonFinite: false, sigma: 0.2, draws: 1,
    smoothedLoss: 0.36, band: { lo: 0.3, hi: 0.4 }, inBand: true, terms: { p: 0.1, i: 0.02, d: 0, error: 0.05 }, timestamp: Date.now(),
  };
}

/**
 * `/metrics` latency with `runs` runs' series (app's metric group + process metrics).
 * LossbandMetrics registers its own metric objects, so two runs cannot share one registry
 * (prom-client throws "already registered"): each run gets its own registry and /metrics
 * concatenates them, which is what a multi-run server would have to do today.
 */
async function scrapeLatency(runs: number, requests: number): Promise<{ p50: number; p99: number; bytes: number; series: number }> {
  const { LossbandMetrics, registerProcessMetrics } = await import('../../src/metrics/index.js');
  const { createApp, startServer } = await import('../../src/server/index.js');
  const log = pino({ level: 'silent' });
  const registries: Registry[] = [];
  for (let r = 0; r < runs; r++) {
    const registry = new Registry();
    if (r === 0) registerProcessMetrics(registry);
    const m = new LossbandMetrics(registry, { run: `run-${r}` });
    m.setInfo({ model_name: 'mlp', architecture: '4-10-3', parameters: 83, dataset: 'iris', backend: 'wasm', controller: 'pid' });
    m.setSigmaLimits(0.001, 10);
    m.setState('running');
    for (let e = 1; e <= 50; e++) m.recordEpoch(event(`run-${r}`, e));
    registries.push(registry);
  }
  const first = registries[0] as Registry;
  const registry = runs === 1 ? first : ({
    contentType: first.contentType,
    metrics: async () => (await Promise.all(registries.map((r) => r.metrics()))).join('\n'),
  } as unknown as Registry);
  const server = await startServer({ app: createApp({ registry }), portExplicit: false, ephemeral: true, log });
  if (server === undefined) throw new Error('metrics server did not start');
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

/** Summary a scraper child prints when stopped. */
interface ScrapeSummary {
  readonly ok: number;
  readonly errors: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

/** Starts a scraper child process against `url`; resolves once it is scraping, with its stopper. */
function startScraper(url: string): Promise<() => Promise<ScrapeSummary>> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/lib/scraper.ts'), url, String(SCRAPE_RATE), '600'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
 * Section 6: `/metrics` latency with 1 and 100 runs' series, and how much a live lossband run
 * slows down while a child process scrapes it 20×/s (alternated with unscraped runs).
 */
export async function metricsPath(): Promise<SectionResult> {
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  if (!fs.existsSync(path.join(ROOT, 'src/metrics/index.ts'))) {
    rows.push({ section: '6 metrics', what: '/metrics latency', result: 'TODO', note: 'src/metrics/ does not exist yet' });
    return { rows, data };
  }
  for (const runs of [1, 100]) {
    const r = await scrapeLatency(runs, QUICK ? 100 : 500);
    data[`latency${runs}`] = r;
    rows.push({
      section: '6 metrics',
      what: `/metrics latency, ${runs} run${runs > 1 ? 's' : ''} registered`,
      result: `p50 ${fmt(r.p50, 2)} / p99 ${fmt(r.p99, 2)} ms`,
      note: `${r.series} series, ${fmt(r.bytes / 1024, 0)} KiB${runs > 1 ? '; one registry per run, concatenated (LossbandMetrics cannot share a registry)' : ''}`,
    });
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
          const s = await runLossband({ model, epochs, onUrl: async (u) => void (stop = await startScraper(`${u}/metrics`)) });
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
