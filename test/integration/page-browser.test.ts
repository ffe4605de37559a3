/**
 * The live page on a live `lossband run` (the shipped CLI, bin/lossband.js, in its own
 * process) in a real headless Chromium (Debian's, driven by playwright-core): the chart
 * follows the run, its last point is the run's line of events.jsonl at that epoch, the band
 * form moves the shaded band, a wrong token shows the server's error, the band status shows in
 * the run list and the summary, and after the process is killed and `--resume`d on the same
 * port the page reconnects and charts the whole run (history seeded from the run directory)
 * without drawing an epoch twice.
 *
 * The run trains as fast as it can, so nothing here assumes a speed: every wait is on a
 * condition (the page's state, the API, the file) against a generous deadline, and exact
 * comparisons are made while the run is paused. What only a stand-in can provoke on demand is
 * in page-stand-in.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { ROOT } from '../prometheus/promql-sources.js';
import {
  launchBrowser,
  plotted,
  skipBrowserTests,
  untilPlotted,
  type Browser,
  type PageGlobal,
} from './support/chromium.js';
import { freePort } from './support/free-port.js';
import { start, stopAll, type Tracked } from './support/processes.js';
import { waitFor } from './support/wait-for.js';

const BIN = join(ROOT, 'bin/lossband.js');
const TOKEN = 'page-browser-live-token-0123456789';
const RUN = 'page-live';
/** Epochs the chart must show before the first check. */
const MIN_EPOCHS = 50;
const OUTPUT = join(ROOT, 'test-output');
/** Deadline of every wait: generous, for a loaded 2-core machine. */
const WAIT_MS = 90_000;
const TEST_MS = 240_000;

type View = {
  state: string;
  epoch: number;
  band: { lo: number; hi: number };
  bandStatus: string | null;
};

function startCli(args: readonly string[]): Tracked {
  return start('lossband run', process.execPath, [BIN, 'run', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOSSBAND_TOKEN: TOKEN },
  });
}

/** The URL the CLI prints next to the run directory (`live page: http://…/`). */
function pageUrl(cli: Tracked): Promise<string> {
  return waitFor(
    'the CLI to print the live page URL',
    () => {
      const url = /live page: (http:\/\/\S+?)\/?\s/.exec(cli.output())?.[1];
      if (url === undefined && cli.child.exitCode !== null) throw new Error(`exited ${cli.child.exitCode}`);
      return url;
    },
    { timeoutMs: WAIT_MS, context: () => cli.output() },
  );
}

/** Every whole line of the run's events.jsonl, by epoch. */
function fileEvents(out: string): Map<number, EpochEvent> {
  const text = readFileSync(join(out, 'events.jsonl'), 'utf8');
  const whole = text.slice(0, text.lastIndexOf('\n') + 1);
  const events = new Map<number, EpochEvent>();
  for (const line of whole.split('\n')) {
    if (line.trim() === '') continue;
    const e = JSON.parse(line) as EpochEvent;
    events.set(e.epoch, e);
  }
  return events;
}

/** The plotted point at row `i` as the fields of an event, for comparison with a line of the file. */
function pointAt(data: (number | null)[][], i: number) {
  const col = (c: number) => data[c]?.[i] ?? null;
  return { loss: col(1), smoothedLoss: col(2), lo: col(3), hi: col(4), sigma: col(5), draws: col(6) };
}
const asPoint = (e: EpochEvent) => ({
  loss: e.loss,
  smoothedLoss: e.smoothedLoss,
  lo: e.band.lo,
  hi: e.band.hi,
  sigma: e.sigma,
  draws: e.draws,
});

async function view(url: string): Promise<View> {
  const res = await fetch(`${url}/api/runs/${RUN}`);
  if (!res.ok) throw new Error(`GET /api/runs/${RUN}: ${res.status}`);
  return (await res.json()) as View;
}

/** Waits until the page's chart ends at the run's current epoch, the run being paused. */
async function plottedWhilePaused(page: Page, url: string): Promise<{ view: View; data: (number | null)[][] }> {
  const paused = await waitFor('the run to be paused', async () => {
    const v = await view(url);
    return v.state === 'paused' ? v : undefined;
  });
  return { view: paused, data: await untilPlotted(page, paused.epoch) };
}

async function press(page: Page, action: string): Promise<void> {
  await page.click(`#actions button[data-action="${action}"]`);
  await page.locator('#notice', { hasText: `${action}: accepted` }).waitFor();
}

describe.skipIf(skipBrowserTests)('the live page on a live `lossband run`, in headless Chromium', () => {
  let dir = '';
  let out = '';
  let port = 0;
  let url = '';
  let cli: Tracked;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lossband-page-'));
    out = join(dir, 'run');
    port = await freePort();
    const args = ['--epochs', '0', '--name', RUN, '--out', out, '--port', String(port), '--checkpoint-every', '50'];
    cli = startCli(args);
    url = await pageUrl(cli);
    browser = await launchBrowser(WAIT_MS);
    page = browser.page;
  }, TEST_MS);

  afterAll(async () => {
    await browser?.close();
    await stopAll();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it(
    `charts the run live: at least ${MIN_EPOCHS} epochs, the last plotted point equal to events.jsonl at that epoch`,
    async () => {
      expect(url).toBe(`http://127.0.0.1:${port}`);
      await page.goto(url);
      await page.waitForFunction(
        (n) => ((globalThis as unknown as PageGlobal).__lossband?.chart?.data[0]?.at(-1) ?? 0) >= n,
        MIN_EPOCHS,
      );
      await page.waitForFunction(() => (globalThis as unknown as PageGlobal).__lossband?.connection === 'live');
      const data = await plotted(page);
      const epochs = data[0] as number[];
      const last = epochs.at(-1) as number;
      expect(epochs.length).toBeGreaterThanOrEqual(MIN_EPOCHS);
      expect(epochs.every((e, i) => i === 0 || e > (epochs[i - 1] as number))).toBe(true);
      // events.jsonl is written in batches: wait until it holds that epoch, then compare.
      const line = await waitFor(`events.jsonl to hold epoch ${last}`, () => fileEvents(out).get(last));
      expect(pointAt(data, epochs.length - 1)).toEqual(asPoint(line));
      await page.locator(`#runs tbody tr[data-run="${RUN}"]`).filter({ hasText: 'running' }).waitFor();
      await page.locator('#summary dd[data-key="state"]', { hasText: 'running' }).waitFor();
    },
    TEST_MS,
  );

  it(
    'moves the shaded band after the band form is sent with the token',
    async () => {
      await page.fill('#token', TOKEN);
      await page.fill('#band-form input[name="lo"]', '0.25');
      await page.fill('#band-form input[name="hi"]', '0.45');
      await page.click('#band-form button[type="submit"]');
      await page.locator('#notice', { hasText: 'band: accepted' }).waitFor();
      expect((await view(url)).band).toEqual({ lo: 0.25, hi: 0.45 });
      await page.waitForFunction(() => {
        const data = (globalThis as unknown as PageGlobal).__lossband?.chart?.data;
        return data?.[3]?.at(-1) === 0.25 && data[4]?.at(-1) === 0.45;
      });
      const data = await plotted(page);
      const switched = (data[3] as (number | null)[]).findIndex((lo) => lo === 0.25);
      expect(switched).toBeGreaterThan(0);
      const bands = (data[0] as number[]).map((_, i) => [data[3]?.[i], data[4]?.[i]]);
      expect(new Set(bands.slice(0, switched).map(String))).toEqual(new Set(['0.3,0.4']));
      expect(new Set(bands.slice(switched).map(String))).toEqual(new Set(['0.25,0.45']));
      // The switch is where the run's record has it.
      const file = await waitFor('events.jsonl to hold the new band', () => {
        const events = fileEvents(out);
        return events.has(data[0]?.[switched] as number) ? events : undefined;
      });
      expect(file.get(data[0]?.[switched - 1] as number)?.band).toEqual({ lo: 0.3, hi: 0.4 });
      expect(file.get(data[0]?.[switched] as number)?.band).toEqual({ lo: 0.25, hi: 0.45 });
      // The shading is drawn between the hi and lo series: it follows them.
      const bandSeries = await page.evaluate(() =>
        (globalThis as unknown as PageGlobal).__lossband?.chart?.bands.map((b) => b.series),
      );
      expect(bandSeries).toEqual([[4, 3]]);
    },
    TEST_MS,
  );

  it(
    'shows the server’s error for a wrong or missing token and changes nothing; the right token pauses',
    async () => {
      await page.fill('#token', 'wrong-token-wrong-token');
      await page.click('#actions button[data-action="pause"]');
      await page.locator('#error', { hasText: 'pause: Authorization: invalid bearer token (HTTP 401)' }).waitFor();
      await page.fill('#token', '');
      await page.click('#actions button[data-action="stop"]');
      await page
        .locator('#error', { hasText: 'stop: Authorization: missing, expected "Bearer <token>" (HTTP 401)' })
        .waitFor();
      expect((await view(url)).state).toBe('running');

      await page.fill('#token', TOKEN);
      await press(page, 'pause');
      expect(await page.isVisible('#error')).toBe(false);
      const { view: paused, data } = await plottedWhilePaused(page, url);
      // Paused, the run has flushed events.jsonl: its last line is the chart's last point.
      const events = fileEvents(out);
      expect(Math.max(...events.keys())).toBe(paused.epoch);
      expect(pointAt(data, (data[0]?.length ?? 0) - 1)).toEqual(asPoint(events.get(paused.epoch) as EpochEvent));
      // The band status, in the run list and the summary, is the run's.
      expect(paused.bandStatus).toBe(events.get(paused.epoch)?.bandStatus);
      const status = paused.bandStatus as string;
      expect(['held', 'not-held', 'unreachable-above', 'unreachable-below']).toContain(status);
      await page.locator(`#runs tr[data-run="${RUN}"] td.band-status[data-status="${status}"]`).waitFor();
      await page.locator(`#summary dd[data-key="band status"][data-status="${status}"]`, { hasText: status }).waitFor();
      await page.locator(`#runs tbody tr[data-run="${RUN}"]`).filter({ hasText: 'paused' }).waitFor();
      // A reload keeps the token (sessionStorage) and replays the history to the same point.
      await page.reload();
      expect(await page.inputValue('#token')).toBe(TOKEN);
      await untilPlotted(page, paused.epoch);
      await press(page, 'resume');
      expect((await view(url)).state).toBe('running');
    },
    TEST_MS,
  );

  it(
    'refuses a cross-origin text/plain POST even with the right token',
    async () => {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${url}/api/runs/${RUN}/stop`, {
          method: 'POST',
          headers: { Origin: 'http://127.0.0.1:1', 'Content-Type': 'text/plain', Authorization: `Bearer ${TOKEN}` },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end('{}');
      });
      expect(answer).toEqual({ status: 403, body: JSON.stringify({ error: 'cross-origin request refused' }) });
      expect((await view(url)).state).toBe('running');
    },
    TEST_MS,
  );

  it(
    'reconnects after the process is killed and resumed on the same port: the whole run, no epoch twice',
    async () => {
      const shownBefore = (await plotted(page))[0]?.at(-1) as number;
      const resetsBefore = await page.evaluate(() => (globalThis as unknown as PageGlobal).__lossband?.resets ?? 0);
      cli.child.kill('SIGKILL');
      await cli.exited;
      await page.waitForFunction(() => (globalThis as unknown as PageGlobal).__lossband?.connection !== 'live');

      cli = startCli(['--resume', out, '--port', String(port)]);
      expect(await pageUrl(cli)).toBe(url);
      const from = Number(/resuming after epoch (\d+)/.exec(cli.output())?.[1]);
      expect(from).toBeGreaterThan(0);
      // A new server: the page's points belong to the old one, so it is told to reset and replay.
      await page.waitForFunction(
        ([resets, after]) => {
          const live = (globalThis as unknown as PageGlobal).__lossband;
          return (
            live?.connection === 'live' &&
            live.resets > resets &&
            (live.chart?.data[0]?.at(-1) ?? 0) > (after as number)
          );
        },
        [resetsBefore, Math.max(shownBefore, from)] as const,
      );
      await press(page, 'pause');
      const { view: paused, data } = await plottedWhilePaused(page, url);
      const epochs = data[0] as number[];
      expect(epochs.every((e, i) => i === 0 || e > (epochs[i - 1] as number))).toBe(true); // none twice
      // The whole run: the feed was seeded from the run directory, so the chart starts at epoch 1.
      expect(epochs[0]).toBe(1);
      expect(epochs.at(-1)).toBe(paused.epoch);
      expect(epochs.filter((e) => e <= from).length).toBeGreaterThan(1);
      expect(epochs.filter((e) => e > from).length).toBeGreaterThan(1);
      // Every plotted point is the run's record of that epoch, before and after the resume.
      const events = fileEvents(out);
      expect(Math.max(...events.keys())).toBe(paused.epoch);
      const mismatches = epochs
        .map((e, i) => ({ e, plotted: pointAt(data, i), file: events.get(e) }))
        .filter((p) => p.file === undefined || JSON.stringify(p.plotted) !== JSON.stringify(asPoint(p.file)));
      expect(mismatches.slice(0, 3)).toEqual([]);

      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'page-browser.png'), fullPage: true });
      await press(page, 'resume');
    },
    TEST_MS,
  );

  it('ran without CSP violations or page errors', () => {
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
