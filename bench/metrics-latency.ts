/**
 * `/metrics` latency while the real CLI trains the mid-size model (4096×64 blobs → 256 → 3).
 *
 *   npm run build && npx tsx bench/metrics-latency.ts
 *   BENCH_SECONDS=60 BENCH_RATE=10 LOSSBAND_ROOT=/path/to/other/checkout npx tsx bench/metrics-latency.ts
 *
 * Starts `node bin/lossband.js run --data blobs --hidden 256 --epochs 0 --port P --quiet --out TMP`
 * (from LOSSBAND_ROOT, default this checkout; it runs dist/), waits for training, then scrapes
 * `/metrics`, `/healthz`, `/readyz` and `/api/runs` on `--port` from separate plain-node
 * processes at BENCH_RATE/s each for BENCH_SECONDS: every one of them is answered by the server
 * thread from the published snapshot. It also lists the CLI's listening ports (/proc): one, the
 * public port, since nothing sits behind the server thread any more. (The same app served from
 * the main thread is measured in `npm run bench`, section 6.)
 *
 * Then SIGTERM, and ms/epoch from summary.json plus the epoch durations of events.jsonl.
 * Prints a table and writes bench/results/metrics-latency.json. Linux only (/proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './lib/free-port.js';
import { quantile } from './lib/stats.js';
import { fmt, renderTable, type Row } from './lib/table.js';

const REPO = path.resolve(import.meta.dirname, '..');
const ROOT = path.resolve(process.env.LOSSBAND_ROOT ?? REPO);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const TARGET_P99_MS = 20;
const WARMUP_EPOCHS = 3;

/** Raw latencies (ms) of the successful requests of one scraper, and the failures. */
interface Target {
  readonly name: string;
  readonly url: string;
}

interface Scraped {
  readonly latencies: number[];
  readonly errors: number;
  readonly bytes: number;
}

/**
 * A Prometheus stand-in in plain JavaScript (no tsx, so it stays light): GETs URL at RATE/s on
 * a fixed schedule, not waiting for answers; on SIGTERM it stops sending, waits for the
 * requests in flight (so slow answers are not dropped) and prints the raw latencies. Requests
 * sent in its first second are left out: they pay for the scraper's own warm-up (connection,
 * undici, JIT), which a long-running Prometheus with a kept-alive connection does not.
 */
const SCRAPER = `
const [url, rate] = process.argv.slice(1);
const latencies = [];
let errors = 0, bytes = 0, inFlight = 0;
const started = performance.now();
const scrape = async () => {
  const warmUp = performance.now() - started < 1000;
  inFlight += 1;
  const t0 = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10000) });
    const body = await res.arrayBuffer();
    if (!res.ok) throw new Error(String(res.status));
    if (!warmUp) latencies.push(performance.now() - t0);
    bytes = body.byteLength;
  } catch { errors += 1; }
  inFlight -= 1;
};
const timer = setInterval(() => void scrape(), 1000 / Number(rate));
process.once('SIGTERM', () => {
  clearInterval(timer);
  const done = () => process.stdout.write(JSON.stringify({ latencies, errors, bytes }) + '\\n', () => process.exit(0));
  const wait = () => (inFlight === 0 ? done() : setTimeout(wait, 10));
  wait();
});
process.stdout.write('ready\\n');
`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Listening TCP ports of process `pid` (its sockets' inodes matched against /proc/net/tcp{,6}). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    } catch {
      // the fd closed while we looked
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, state, inode] = [cols[1], cols[3], cols[9]];
      if (state !== '0A' || inode === undefined || !inodes.has(inode) || local === undefined) continue;
      ports.push(parseInt(local.split(':')[1] ?? '0', 16));
    }
  }
  return [...new Set(ports)].sort((a, b) => a - b);
}

async function epochsTotal(url: string): Promise<number> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const m = /^lossband_epochs_total(?:\{[^}]*\})? (\S+)$/m.exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Starts a scraper child; resolves once it is scraping, with a function that stops it and returns what it saw. */
async function startScraper(url: string): Promise<() => Promise<Scraped>> {
  const child = spawn(process.execPath, ['-e', SCRAPER, url, String(RATE)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('ready\n')) {
    if (child.exitCode !== null) throw new Error(`scraper for ${url} exited early`);
    await sleep(10);
  }
  return async () => {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Scraped;
  };
}

/** Scrapes `targets` at once for `seconds`; returns what each saw. */
async function scrapeFor(targets: readonly Target[], seconds: number): Promise<Scraped[]> {
  const stoppers = await Promise.all(targets.map((t) => startScraper(t.url)));
  await sleep(seconds * 1000);
  return Promise.all(stoppers.map((stop) => stop()));
}

async function stopCli(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/main.js')))
    throw new Error(`${ROOT}/dist is missing: run npm run build first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-latency-'));
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const args = [
    'bin/lossband.js',
    'run',
    '--data',
    'blobs',
    '--hidden',
    '256',
    '--epochs',
    '0',
    '--port',
    String(port),
    '--quiet',
    '--out',
    path.join(dir, 'run'),
  ];
  console.log(`[latency] ${ROOT}: node ${args.join(' ')}`);
  const cli = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  cli.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const deadline = Date.now() + 120_000;
    while ((await epochsTotal(publicUrl)) < WARMUP_EPOCHS) {
      if (cli.exitCode !== null || Date.now() > deadline)
        throw new Error(`the run did not start training: ${stderr.slice(-500)}`);
      await sleep(200);
    }
    const ports = listeningPorts(cli.pid ?? 0);
    const targets: Target[] = ['/metrics', '/healthz', '/readyz', '/api/runs'].map((p) => ({
      name: `public ${p}`,
      url: `${publicUrl}${p}`,
    }));
    const seen = new Map<string, Scraped[]>(targets.map((t) => [t.name, []]));
    console.log(`[latency] listening ports of the CLI: ${ports.join(', ')}; ${RATE}/s per path, ${SECONDS} s`);
    const scrapeStart = Date.now();
    const scraped = await scrapeFor(targets, SECONDS);
    targets.forEach((t, i) => seen.get(t.name)?.push(scraped[i] as Scraped));
    const scrapeEnd = Date.now();
    const code = await stopCli(cli);
    if (code !== 0) throw new Error(`lossband run exited ${code}: ${stderr.slice(-500)}`);

    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run/summary.json'), 'utf8')) as {
      epochs: number;
      phases: { training: number };
    };
    const events = fs
      .readFileSync(path.join(dir, 'run/events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { durationMs: number; timestamp: number });
    const durations = events.map((e) => e.durationMs);
    const whileScraping = events.filter((e) => e.timestamp >= scrapeStart && e.timestamp <= scrapeEnd).length;
    const msPerEpoch = (summary.phases.training * 1000) / summary.epochs;
    const epochP50 = quantile(durations, 0.5);
    const epochMax = quantile(durations, 1);

    const stats = targets.map((t) => {
      const parts = seen.get(t.name) ?? [];
      const latencies = parts.flatMap((p) => p.latencies);
      const q = (x: number): number | null => (latencies.length > 0 ? quantile(latencies, x) : null);
      return {
        name: t.name,
        ok: latencies.length,
        errors: parts.reduce((n, p) => n + p.errors, 0),
        bytes: parts.at(-1)?.bytes ?? 0,
        p50: q(0.5),
        p99: q(0.99),
        max: q(1),
      };
    });
    const rows: Row[] = stats.map((s) => {
      const ms = (x: number | null): string => (x === null ? '–' : fmt(x));
      return {
        section: 'server thread',
        what: s.name,
        result: `p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms, max ${ms(s.max)} ms`,
        target: `p99 ≤ ${TARGET_P99_MS} ms`,
        ok: s.p99 !== null ? s.p99 <= TARGET_P99_MS && s.errors === 0 : undefined,
        note: `${s.ok} ok, ${s.errors} errors, ${s.bytes} bytes`,
      };
    });
    rows.push({
      section: 'training',
      what: 'epoch time (wasm, mid-size)',
      result: `${fmt(msPerEpoch)} ms/epoch (summary), epoch p50 ${fmt(epochP50)} ms, max ${fmt(epochMax)} ms`,
      note: `${summary.epochs} epochs; ${whileScraping} while scraping`,
    });
    console.log('\n' + renderTable(rows) + '\n');

    const result = {
      when: new Date().toISOString(),
      root: ROOT,
      node: process.version,
      rate: RATE,
      seconds: SECONDS,
      targetP99Ms: TARGET_P99_MS,
      listeningPorts: ports,
      scrapes: stats,
      raw: Object.fromEntries(
        [...seen].map(([name, parts]) => [
          name,
          parts.flatMap((p) => p.latencies.map((x) => Math.round(x * 100) / 100)),
        ]),
      ),
      training: { msPerEpoch, epochP50Ms: epochP50, epochMaxMs: epochMax, epochs: summary.epochs },
    };
    fs.mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
    const file = path.join(REPO, 'bench/results/metrics-latency.json');
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    console.log(`[latency] wrote ${path.relative(REPO, file)}`);
  } finally {
    await stopCli(cli);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
