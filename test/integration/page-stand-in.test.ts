/**
 * The live page in a real headless Chromium (Debian's, driven by playwright-core): the chart
 * follows the run's epochs, the band form and the buttons steer it with the token, a wrong
 * token shows the server's error, a cross-origin POST is refused, and after a server restart
 * with a resume the page reconnects without drawing any epoch twice.
 *
 * The server under test is built by one function, {@link startServerUnderTest}: for now a
 * stand-in composing the real live handlers with an in-memory run registry fed with
 * synthetic epochs; swapping it for a live `lossband run` changes only that function.
 * Every wait is on the page's state (waitForFunction) against a deadline; no test sleeps.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { FakeRun, startFakeRunServer, type FakeRunServer } from '../live/fake-run-server.js';
import { ROOT } from '../prometheus/promql-sources.js';
import { IN_CI } from './support/binaries.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const missing = existsSync(CHROMIUM) ? undefined : `missing ${CHROMIUM} (apt-get install chromium)`;
if (missing !== undefined && !IN_CI) console.warn(`[integration] skipping the page's browser tests: ${missing}`);

const TOKEN = 'page-test-token';
const OUTPUT = join(ROOT, 'test-output');

/** What the tests need of a server with one run; a live `lossband run` can provide the same. */
interface ServerUnderTest {
  readonly url: string;
  readonly run: string;
  readonly token: string;
  /** Lets the run finish `n` more epochs and returns their events (the new lines of events.jsonl). */
  advance(n: number): Promise<EpochEvent[]>;
  /** Every event of the run, as events.jsonl holds them now. */
  events(): EpochEvent[];
  /** Stops the server and starts it again on the same port, resuming from the checkpoint at `checkpoint`. */
  restart(checkpoint: number): Promise<void>;
  /** Stand-in only: re-trains from `epoch` within the same process (a rewind the live feed must announce). */
  rewind?(epoch: number): void;
  /** Stand-in only: the requests the server answered. */
  answered?(): readonly { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

async function startServerUnderTest(): Promise<ServerUnderTest> {
  const run = new FakeRun('demo', 500);
  let variant = 0;
  let server: FakeRunServer = await startFakeRunServer({ runs: [run], token: TOKEN });
  const port = server.port;
  /** As the training thread does: events reach the feed in batches, not one by one. */
  const push = (events: EpochEvent[]): void => {
    for (let i = 0; i < events.length; i += 5) server.feed.append(events.slice(i, i + 5));
  };
  return {
    url: server.url,
    run: run.run,
    token: TOKEN,
    advance: async (n) => {
      const events = run.produce(n, variant);
      push(events);
      return events;
    },
    events: () => run.events,
    restart: async (checkpoint) => {
      await server.close();
      run.rewindTo(checkpoint);
      variant++;
      server = await startFakeRunServer({ runs: [run], token: TOKEN, port });
    },
    rewind: (epoch) => {
      run.rewindTo(epoch - 1);
      variant++;
    },
    answered: () => server.answered,
    close: () => server.close(),
  };
}

/** What app.js exposes on `window.__lossband`, as far as the tests read it. */
interface PageState {
  chart: { data: (number | null)[][]; bands: { series: number[] }[] } | null;
  resets: number;
  connection: string;
}
type PageGlobal = { __lossband?: PageState };

/** The chart's plotted columns (epoch, loss, smoothed, lo, hi, σ, K). */
function plotted(page: Page): Promise<(number | null)[][]> {
  return page.evaluate(() =>
    ((globalThis as unknown as PageGlobal).__lossband?.chart?.data ?? []).map((c) => Array.from(c)),
  );
}

/** Waits until the chart's last plotted epoch is `epoch` and `resets` resets have arrived. */
async function untilPlotted(page: Page, epoch: number, resets = 0): Promise<(number | null)[][]> {
  await page.waitForFunction(
    ([want, wantResets]) => {
      const live = (globalThis as unknown as PageGlobal).__lossband;
      return live?.chart?.data[0]?.at(-1) === want && live.resets >= wantResets;
    },
    [epoch, resets] as const,
  );
  return plotted(page);
}

async function apiView(sut: ServerUnderTest): Promise<{ state: string; band: { lo: number; hi: number } }> {
  const res = await fetch(`${sut.url}/api/runs/${sut.run}`);
  return (await res.json()) as { state: string; band: { lo: number; hi: number } };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.skipIf(missing !== undefined && !IN_CI)('the live page in headless Chromium', () => {
  let sut: ServerUnderTest;
  let context: BrowserContext;
  let page: Page;
  let userDataDir = '';
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    if (missing !== undefined) throw new Error(`CI=true and ${missing}`);
    sut = await startServerUnderTest();
    userDataDir = mkdtempSync(join(tmpdir(), 'lossband-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(20_000);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
    });
  });

  afterAll(async () => {
    await context?.close();
    await sut?.close();
    if (userDataDir !== '') rmSync(userDataDir, { recursive: true, force: true });
  });

  it('charts the run live: at least N epochs, the last plotted loss equal to the last event', async () => {
    await sut.advance(10);
    await page.goto(sut.url);
    await untilPlotted(page, 10);
    const events = await sut.advance(30);
    const [epochs, loss, smoothed, lo, hi, sigma, draws] = await untilPlotted(page, 40);
    expect(epochs).toEqual(range(1, 40));
    const last = sut.events().at(-1) as EpochEvent;
    expect(last).toEqual(events.at(-1));
    expect(loss?.at(-1)).toBe(last.loss);
    expect(smoothed?.at(-1)).toBe(last.smoothedLoss);
    expect([lo?.at(-1), hi?.at(-1)]).toEqual([last.band.lo, last.band.hi]);
    expect(sigma?.at(-1)).toBe(last.sigma);
    expect(draws?.at(-1)).toBe(last.draws);
    // The run list and the summary come from the API.
    await page.locator('#runs tbody tr[data-run="demo"]').filter({ hasText: 'running' }).waitFor();
    await page.locator('#summary dd[data-key="epoch"]', { hasText: '40 / 500' }).waitFor();
    expect(await page.locator('#connection').textContent()).toBe('live');
  });

  it('moves the shaded band after the band form is sent with the token', async () => {
    await page.fill('#token', sut.token);
    await page.fill('#band-form input[name="lo"]', '0.25');
    await page.fill('#band-form input[name="hi"]', '0.45');
    await page.click('#band-form button[type="submit"]');
    await page.locator('#notice', { hasText: 'band: accepted' }).waitFor();
    expect((await apiView(sut)).band).toEqual({ lo: 0.25, hi: 0.45 });
    await sut.advance(3); // the run applies the band from its next epoch
    const data = await untilPlotted(page, 43);
    const at = (epoch: number) => [data[3]?.[epoch - 1], data[4]?.[epoch - 1]];
    expect(at(40)).toEqual([0.3, 0.4]);
    expect(at(41)).toEqual([0.25, 0.45]);
    expect(at(43)).toEqual([0.25, 0.45]);
    const bands = await page.evaluate(() =>
      (globalThis as unknown as PageGlobal).__lossband?.chart?.bands.map((b) => b.series),
    );
    expect(bands).toEqual([[4, 3]]); // shaded between the hi and lo series
  });

  it('shows the server’s one-line error for a wrong or missing token and changes nothing', async () => {
    await page.fill('#token', 'wrong-token');
    await page.click('#actions button[data-action="pause"]');
    await page.locator('#error', { hasText: 'pause: Authorization: invalid bearer token (HTTP 401)' }).waitFor();
    expect(await page.isVisible('#error')).toBe(true);
    await page.fill('#token', '');
    await page.click('#actions button[data-action="stop"]');
    await page
      .locator('#error', { hasText: 'stop: Authorization: missing, expected "Bearer <token>" (HTTP 401)' })
      .waitFor();
    expect((await apiView(sut)).state).toBe('running');
    // The right token clears the error and steers; it survives a reload (sessionStorage).
    await page.fill('#token', sut.token);
    await page.click('#actions button[data-action="pause"]');
    await page.locator('#notice', { hasText: 'pause: accepted' }).waitFor();
    expect(await page.isVisible('#error')).toBe(false);
    expect((await apiView(sut)).state).toBe('paused');
    await page.reload();
    expect(await page.inputValue('#token')).toBe(sut.token);
    await untilPlotted(page, 43); // a fresh page replays the history
    await page.click('#actions button[data-action="resume"]');
    await page.locator('#notice', { hasText: 'resume: accepted' }).waitFor();
    expect((await apiView(sut)).state).toBe('running');
  });

  it('refuses a cross-origin text/plain POST sent by a page on another origin', async () => {
    const other: Server = createServer((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'),
    );
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
    const attacker = await context.newPage();
    try {
      await attacker.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      const target = `${sut.url}/api/runs/${sut.run}/stop`;
      const simple = await attacker.evaluate(async (url) => {
        const res = await fetch(url, {
          method: 'POST',
          mode: 'no-cors',
          headers: { 'Content-Type': 'text/plain' },
          body: '{}',
        });
        return res.type; // opaque: the request reached the server, the answer is hidden
      }, target);
      expect(simple).toBe('opaque');
      const withToken = await attacker.evaluate(
        async ([url, token]) => {
          try {
            await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
            return 'sent';
          } catch {
            return 'blocked';
          }
        },
        [target, sut.token] as const,
      );
      expect(withToken).toBe('blocked'); // needs a CORS preflight, which the server never grants
      expect((await apiView(sut)).state).toBe('running');
      const answered = sut.answered?.() ?? [];
      if (sut.answered !== undefined)
        expect(answered).toContainEqual({ method: 'POST', path: `/api/runs/${sut.run}/stop`, status: 403 });
    } finally {
      await attacker.close();
      other.closeAllConnections();
      await new Promise((done) => other.close(done));
    }
  });

  it('reconnects after a server restart with a resume, without drawing any epoch twice', async () => {
    const before = await plotted(page);
    expect(before[0]?.at(-1)).toBe(43);
    await sut.restart(30); // epochs 31..43 are void: the run re-trains them
    const retrained = await sut.advance(15);
    const [epochs, loss] = await untilPlotted(page, 45, 1);
    expect(epochs).toEqual(range(1, 45));
    expect(loss?.slice(30)).toEqual(retrained.map((e) => e.loss));
    expect(loss?.slice(30)).not.toEqual(before[1]?.slice(30, 45));
    expect(loss?.slice(0, 30)).toEqual(before[1]?.slice(0, 30));
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).__lossband?.connection === 'live');
  });

  it('follows a rewind announced on an open stream (same process)', async () => {
    if (sut.rewind === undefined) return; // only the stand-in can re-train in place
    const resets = (await page.evaluate(() => (globalThis as unknown as PageGlobal).__lossband?.resets)) ?? 0;
    sut.rewind(40);
    const retrained = await sut.advance(8);
    const [epochs, loss] = await untilPlotted(page, 47, resets + 1);
    expect(epochs).toEqual(range(1, 47));
    expect(loss?.slice(39)).toEqual(retrained.map((e) => e.loss));
  });

  it('ran without CSP violations or page errors, and leaves a screenshot', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const file = join(OUTPUT, 'page-browser.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
