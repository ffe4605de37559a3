import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../lib/free-port.js';
import { QUICK, REPS } from '../lib/settings.js';
import { median } from '../lib/stats.js';
import { fmt, type Row, type SectionResult } from '../lib/table.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const RUN = 'bench-page';
/** Open pages (or streams) in the loaded arm: the "5 open pages". */
const CLIENTS = 5;
/** Epochs per run: the default job (Iris, pid, draws auto) trains them in a few seconds. */
const EPOCHS = QUICK ? 6000 : 20_000;
/** Epochs left out after the last client connected, before the measured window starts. */
const MARGIN = 200;

/** One `lossband run`: when each epoch finished, and when the loaded arm's clients were all connected. */
interface RunSample {
  /** `timestamp` of epoch e at index e - 1 (events.jsonl). */
  readonly finishedAt: number[];
  /** Epoch the run had reached once every client was receiving; undefined in the quiet arm. */
  readonly connectedAt?: number | undefined;
  /** What the clients received, for the table's note (events per stream, last plotted epoch per page). */
  readonly received?: number[] | undefined;
}

/** The clients of a loaded run: started once the run is listed, stopped after it exits. */
interface Clients {
  /** Resolves with the run's epoch once every client is receiving the run's events. */
  connect(url: string): Promise<number>;
  /** Per client, what it received. */
  finish(): Promise<number[]>;
}

/**
 * Five Server-Sent Events streams in a child process (plain JavaScript, like a browser's
 * EventSource and the page: reads every byte, parses each message's epochs): prints `connected <epoch>` once all five have
 * received an epoch, and the events per stream when stopped or when the streams end.
 */
const SSE_CLIENTS = `
const [url, n] = [process.argv[1], Number(process.argv[2])];
const counts = new Array(n).fill(0);
const first = new Array(n).fill(0);
let announced = false;
const open = async (i) => {
  for (;;) {
    try {
      const res = await fetch(url, { headers: { Accept: 'text/event-stream' } });
      if (res.status !== 200) { await res.arrayBuffer(); await new Promise((r) => setTimeout(r, 20)); continue; }
      const decoder = new TextDecoder();
      let rest = '';
      for await (const chunk of res.body) {
        rest += decoder.decode(chunk, { stream: true });
        const cut = rest.lastIndexOf('\\n\\n');
        if (cut < 0) continue;
        for (const m of rest.slice(0, cut).matchAll(/^id: (\\d+):[^\\n]*\\nevent: epochs\\ndata: (.*)$/gm)) {
          counts[i] += JSON.parse(m[2]).length;
          if (first[i] === 0) first[i] = Number(m[1]);
        }
        rest = rest.slice(cut + 2);
        if (!announced && first.every((f) => f > 0)) {
          announced = true;
          process.stdout.write('connected ' + Math.max(...first) + '\\n');
        }
      }
      return;
    } catch { await new Promise((r) => setTimeout(r, 20)); }
  }
};
const done = () => process.stdout.write(JSON.stringify(counts) + '\\n', () => process.exit(0));
process.once('SIGTERM', done);
Promise.all(counts.map((_, i) => open(i))).then(done);
`;

function sseClients(): Clients {
  let child: ChildProcess | undefined;
  let out = '';
  return {
    connect: (url) =>
      new Promise((resolve, reject) => {
        child = spawn(process.execPath, ['-e', SSE_CLIENTS, `${url}/api/runs/${RUN}/events`, String(CLIENTS)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        child.once('error', reject);
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^connected (\d+)$/m.exec(out);
          if (m) resolve(Number(m[1]));
        });
      }),
    finish: async () => {
      if (child === undefined) return [];
      const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      return JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as number[];
    },
  };
}

type PlaywrightContext = Awaited<ReturnType<typeof import('playwright-core').chromium.launchPersistentContext>>;
type PlaywrightPage = Awaited<ReturnType<PlaywrightContext['newPage']>>;

/** Five pages of one headless Chromium on the run, each charting it live as a user's would. */
function chromiumPages(context: PlaywrightContext): Clients {
  const pages: PlaywrightPage[] = [];
  return {
    connect: async (url) => {
      for (let i = 0; i < CLIENTS; i++) pages.push(await context.newPage());
      await Promise.all(pages.map((p) => p.goto(url)));
      for (const p of pages) {
        await p.waitForFunction(
          () => {
            const live = (globalThis as { __lossband?: { connection: string; chart: { data: number[][] } | null } })
              .__lossband;
            return live?.connection === 'live' && (live.chart?.data[0]?.length ?? 0) > 0;
          },
          undefined,
          { timeout: 120_000 },
        );
      }
      const res = await fetch(`${url}/api/runs/${RUN}`);
      return ((await res.json()) as { epoch: number }).epoch;
    },
    finish: async () => {
      const last = await Promise.all(
        pages.map((p) =>
          p.evaluate(
            () =>
              (globalThis as { __lossband?: { chart: { data: number[][] } | null } }).__lossband?.chart?.data[0]?.at(
                -1,
              ) ?? 0,
          ),
        ),
      );
      await Promise.all(pages.map((p) => p.close()));
      return last;
    },
  };
}

/** Polls until the run is listed by the API (the feed serves it from then on). */
async function untilListed(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`lossband run exited ${child.exitCode} before it was listed`);
    try {
      const res = await fetch(`${url}/api/runs`);
      if (res.ok && ((await res.json()) as { run: string }[]).some((r) => r.run === RUN)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The default job (`lossband run`: Iris, pid, draws auto) for {@link EPOCHS} epochs, the shipped
 * CLI in a fresh process; with `clients`, they are connected while it trains.
 */
async function cliRun(clients?: Clients): Promise<RunSample> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-bench-page-'));
  const out = path.join(dir, 'run');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['bin/lossband.js', 'run', '--epochs', String(EPOCHS), '--name', RUN, '--seed', '42'];
  args.push('--port', String(port), '--quiet', '--out', out);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    let connectedAt: number | undefined;
    if (clients) {
      await untilListed(url, child);
      connectedAt = await clients.connect(url);
    }
    const status = await code;
    const received = await clients?.finish();
    if (status !== 0) throw new Error(`lossband run exited ${status}: ${stderr.slice(-300)}`);
    const finishedAt: number[] = [];
    for (const line of fs.readFileSync(path.join(out, 'events.jsonl'), 'utf8').split('\n')) {
      if (line === '') continue;
      const e = JSON.parse(line) as { epoch: number; timestamp: number };
      finishedAt[e.epoch - 1] = e.timestamp;
    }
    if (finishedAt.length !== EPOCHS) throw new Error(`events.jsonl holds ${finishedAt.length} of ${EPOCHS} epochs`);
    return { finishedAt, connectedAt, received };
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Epochs per second over epochs `from`..EPOCHS. */
const rate = (s: RunSample, from: number): number =>
  ((EPOCHS - from) * 1000) / ((s.finishedAt[EPOCHS - 1] as number) - (s.finishedAt[from - 1] as number));

/**
 * Loaded and quiet runs alternated (ABBA); the rates are compared over the same epochs — from
 * the epoch by which every loaded run's clients were connected (plus {@link MARGIN}) to the
 * end — because the default job's epoch cost changes as its draws change.
 */
async function compare(label: string, clients: () => Clients): Promise<{ row: Row; data: Record<string, unknown> }> {
  const loaded: RunSample[] = [];
  const quiet: RunSample[] = [];
  for (let i = 0; i < REPS; i++) {
    if (i % 2 === 0) {
      loaded.push(await cliRun(clients()));
      quiet.push(await cliRun());
    } else {
      quiet.push(await cliRun());
      loaded.push(await cliRun(clients()));
    }
  }
  const from = Math.max(...loaded.map((s) => s.connectedAt ?? EPOCHS)) + MARGIN;
  const section = '10 page';
  if (from > EPOCHS * 0.75) {
    return {
      row: {
        section,
        what: `training slow-down with ${label} open`,
        result: 'too short',
        note: `clients connected only by epoch ${from - MARGIN} of ${EPOCHS}`,
      },
      data: { from, connectedAt: loaded.map((s) => s.connectedAt) },
    };
  }
  const loadedRates = loaded.map((s) => rate(s, from));
  const quietRates = quiet.map((s) => rate(s, from));
  const ratio = median(loadedRates.map((r, i) => r / (quietRates[i] as number)));
  const cost = (1 - ratio) * 100;
  const received = loaded.map((s) => Math.min(...(s.received ?? [0])));
  return {
    row: {
      section,
      what: `training slow-down with ${label} open vs none (Iris default job, ${EPOCHS} ep)`,
      result: `${cost >= 0 ? '+' : ''}${fmt(cost, 1)} %`,
      target: '≤ 2 %',
      ok: cost <= 2,
      note: `${fmt(median(loadedRates), 0)} vs ${fmt(median(quietRates), 0)} epochs/s over epochs ${from}–${EPOCHS}; least received per client ${Math.min(...received)}`,
    },
    data: { epochs: EPOCHS, from, loadedRates, quietRates, connectedAt: loaded.map((s) => s.connectedAt), received },
  };
}

/**
 * Section 10: what open live pages cost training. The default job runs as the shipped CLI
 * (`node bin/lossband.js run`, fresh process, `npm run build` first) with and without
 * {@link CLIENTS} clients on its page — five SSE streams (what the server does for pages), and
 * five pages of one headless Chromium (what a user's machine does too: the browser shares the
 * cores) — alternated, median of the per-pair ratios of epochs/s over the same epochs.
 */
export async function pageCost(): Promise<SectionResult> {
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  // `BENCH_PAGE_ARMS=chromium` (or `sse`) measures one arm only, e.g. to give it more repetitions.
  const arms = process.env.BENCH_PAGE_ARMS?.split(',') ?? ['sse', 'chromium'];
  if (arms.includes('sse')) {
    const sse = await compare(`${CLIENTS} SSE streams`, sseClients);
    rows.push(sse.row);
    data.sse = sse.data;
  }
  if (!arms.includes('chromium')) return { rows, data };
  if (!fs.existsSync(CHROMIUM)) {
    rows.push({ section: '10 page', what: `${CLIENTS} Chromium pages`, result: 'skipped', note: `no ${CHROMIUM}` });
    return { rows, data };
  }
  const { chromium } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const pages = await compare(`${CLIENTS} Chromium pages`, () => chromiumPages(context));
    rows.push(pages.row);
    data.chromium = pages.data;
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  return { rows, data };
}
