/**
 * A stand-in for the lead's server, for the page's tests: a real node:http server on
 * loopback composing the live handlers (page, SSE, guards) with an in-memory run registry
 * that implements the control API contract (views, band, pause/resume/stop, bearer token).
 * Tests feed it synthetic epochs; nothing runs on a timer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventFeed } from '../../src/live/event-feed.js';
import { createLiveHandler } from '../../src/live/live-handler.js';
import { sendJson } from '../../src/live/send-json.js';
import type { Band } from '../../src/core/band.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';

type State = 'starting' | 'running' | 'paused' | 'finished' | 'stopped' | 'diverged';

/** One fake run: its state as the API shows it and every event it produced. */
export class FakeRun {
  state: State = 'running';
  band: Band = { lo: 0.3, hi: 0.4 };
  events: EpochEvent[] = [];
  private smoothed: number | undefined;

  constructor(
    readonly run: string,
    readonly epochs = 0,
  ) {}

  get epoch(): number {
    return this.events.at(-1)?.epoch ?? 0;
  }

  /**
   * The next `n` epochs, continuing from the last one, with the band in force now. `variant`
   * changes the loss curve, so re-trained epochs differ from the ones they replace.
   */
  produce(n: number, variant = 0): EpochEvent[] {
    const out: EpochEvent[] = [];
    for (let i = 0; i < n; i++) {
      const epoch = this.epoch + 1;
      const loss = 0.36 + 0.09 * Math.sin(epoch / 4 + variant) + 0.01 * Math.cos(epoch * 1.7);
      this.smoothed = this.smoothed === undefined ? loss : 0.8 * this.smoothed + 0.2 * loss;
      const event: EpochEvent = {
        run: this.run,
        epoch,
        loss,
        valLoss: loss * 1.1,
        valAccuracy: 0.9,
        durationMs: 2,
        nonFinite: false,
        sigma: 0.05 * (1.5 + Math.sin(epoch / 9)),
        draws: 1 + (Math.floor(epoch / 15) % 3),
        smoothedLoss: this.smoothed,
        band: { ...this.band },
        inBand: loss >= this.band.lo && loss <= this.band.hi,
        bandStatus: this.smoothed >= this.band.lo && this.smoothed <= this.band.hi ? 'held' : 'not-held',
        terms: { p: 0.1, i: 0.01, d: 0, error: 0.2 },
        timestamp: 1_700_000_000_000 + epoch * 1000,
      };
      this.events.push(event);
      out.push(event);
    }
    return out;
  }

  /** Forgets epochs after `epoch`, as `--resume` from a checkpoint there does. */
  rewindTo(epoch: number): void {
    this.events = this.events.filter((e) => e.epoch <= epoch);
    this.smoothed = this.events.at(-1)?.smoothedLoss;
  }

  view() {
    const inBand = this.events.filter((e) => e.inBand).length;
    const last = this.events.at(-1);
    return {
      run: this.run,
      state: this.state,
      epoch: this.epoch,
      epochs: this.epochs,
      band: this.band,
      sigma: last?.sigma ?? 0.1,
      draws: last?.draws ?? 1,
      controller: 'pid',
      backend: 'js',
      inBandFraction: this.events.length === 0 ? null : inBand / this.events.length,
      lastLoss: last?.loss ?? null,
      bandStatus: last?.bandStatus ?? null,
    };
  }
}

/** A request the server answered (guards included), for assertions. */
export interface Answered {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface FakeRunServer {
  readonly url: string;
  readonly port: number;
  readonly feed: EventFeed<EpochEvent>;
  readonly answered: Answered[];
  close(): Promise<void>;
}

/**
 * Serves `runs` on 127.0.0.1 (`port` 0: any free one). The feed starts with each run's
 * events so far, as a restarted process would load them from `events.jsonl`.
 */
export async function startFakeRunServer(options: {
  runs: FakeRun[];
  token: string | undefined;
  port?: number;
  retryMs?: number;
}): Promise<FakeRunServer> {
  const { runs, token } = options;
  const feed = new EventFeed<EpochEvent>();
  for (const run of runs) feed.append(run.events);
  const answered: Answered[] = [];
  const find = (name: string) => runs.find((r) => r.run === name);

  const api = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const reply = (status: number, value: unknown): void => sendJson(res, status, value);
    if (path === '/api/runs' && method === 'GET')
      return reply(
        200,
        runs.map((r) => r.view()),
      );
    const m = /^\/api\/runs\/([^/]+)(?:\/(band|pause|resume|stop))?$/.exec(path);
    const run = m ? find(decodeURIComponent(m[1] ?? '')) : undefined;
    if (m === null) return reply(404, { error: 'path: no such resource' });
    if (run === undefined) return reply(404, { error: `run: no run named "${m[1]}"` });
    const action = m[2];
    if (action === undefined && method === 'GET')
      return reply(200, {
        ...run.view(),
        lastEvent: run.events.at(-1) ?? null,
      });
    const expected = action === 'band' ? 'PUT' : 'POST';
    if (action === undefined || method !== expected) return reply(405, { error: `method: ${method} not allowed here` });
    if (token === undefined)
      return reply(403, {
        error: 'Authorization: this run has no API token configured, so its control API is read-only',
      });
    const auth = req.headers.authorization;
    if (auth === undefined) return reply(401, { error: 'Authorization: missing, expected "Bearer <token>"' });
    if (auth !== `Bearer ${token}`) return reply(401, { error: 'Authorization: invalid bearer token' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (action !== 'band') {
        run.state = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'stopped';
        return reply(202, run.view());
      }
      let parsed: { lo?: unknown; hi?: unknown };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return reply(400, { error: 'body: not JSON' });
      }
      const { lo, hi } = parsed;
      if (typeof lo !== 'number' || !Number.isFinite(lo) || lo < 0)
        return reply(400, { error: 'lo: expected a finite number >= 0' });
      if (typeof hi !== 'number' || !Number.isFinite(hi) || hi <= lo)
        return reply(400, { error: 'lo: lo must be less than hi' });
      run.band = { lo, hi };
      reply(200, run.view());
    });
  };

  const handler = createLiveHandler({
    feed,
    bindHost: '127.0.0.1',
    isRun: (name) => find(name) !== undefined,
    next: api,
    sse: { retryMs: options.retryMs ?? 200, heartbeatMs: 60_000 },
  });
  const server: Server = createServer((req, res) => {
    res.on('finish', () =>
      answered.push({ method: req.method ?? '', path: (req.url ?? '/').split('?')[0] ?? '/', status: res.statusCode }),
    );
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    feed,
    answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
