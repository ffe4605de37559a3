/**
 * The live page in headless Chromium against a stand-in server: the real live handlers
 * (page, SSE, guards) composed with an in-memory run fed synthetic epochs by the test
 * (`test/live/fake-run-server.ts`). What the live-CLI test (`page-browser.test.ts`) cannot
 * provoke on demand lives here: a rewind announced on an open stream (a rollback re-trains
 * epochs in the same process), and the server's own record that a cross-origin POST sent by
 * a browser was answered 403. Every wait is on the page's state; no test sleeps.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { FakeRun, startFakeRunServer, type FakeRunServer } from '../live/fake-run-server.js';
import { launchBrowser, skipBrowserTests, untilPlotted, type Browser } from './support/chromium.js';

const TOKEN = 'page-stand-in-token';
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.skipIf(skipBrowserTests)('the live page against a stand-in server', () => {
  const run = new FakeRun('demo', 500);
  let variant = 0;
  let server: FakeRunServer;
  let browser: Browser;
  let page: Page;
  /** As the training thread does: events reach the feed in batches of a few. */
  const advance = (n: number): EpochEvent[] => {
    const events = run.produce(n, variant);
    for (let i = 0; i < events.length; i += 5) server.feed.append(events.slice(i, i + 5));
    return events;
  };

  beforeAll(async () => {
    server = await startFakeRunServer({ runs: [run], token: TOKEN });
    browser = await launchBrowser(20_000);
    page = browser.page;
    advance(40);
    await page.goto(server.url);
    await untilPlotted(page, 40);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('follows a rewind announced on an open stream: the void epochs are replaced, none drawn twice', async () => {
    const before = await untilPlotted(page, 40);
    run.rewindTo(29); // a rollback to the checkpoint at epoch 29: epochs 30.. are re-trained
    variant++;
    const retrained = advance(15);
    const [epochs, loss] = await untilPlotted(page, 44, 1);
    expect(epochs).toEqual(range(1, 44));
    expect(loss?.slice(29)).toEqual(retrained.map((e) => e.loss));
    expect(loss?.slice(29, 40)).not.toEqual(before[1]?.slice(29, 40));
    expect(loss?.slice(0, 29)).toEqual(before[1]?.slice(0, 29));
  });

  it('shows the band status in the run list and the summary', async () => {
    const status = run.events.at(-1)?.bandStatus as string;
    await page.locator(`#runs tr[data-run="demo"] td.band-status[data-status="${status}"]`).waitFor();
    await page.locator(`#summary dd[data-key="band status"][data-status="${status}"]`).waitFor();
  });

  it('refuses a cross-origin text/plain POST sent by a page on another origin (the server answered 403)', async () => {
    const other: Server = createServer((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'),
    );
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
    const attacker = await browser.context.newPage();
    try {
      await attacker.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      const target = `${server.url}/api/runs/${run.run}/stop`;
      const simple = await attacker.evaluate(async (url) => {
        const res = await fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' } });
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
        [target, TOKEN] as const,
      );
      expect(withToken).toBe('blocked'); // needs a CORS preflight, which the server never grants
      expect(run.state).toBe('running');
      expect(server.answered).toContainEqual({ method: 'POST', path: `/api/runs/${run.run}/stop`, status: 403 });
    } finally {
      await attacker.close();
      other.closeAllConnections();
      await new Promise((done) => other.close(done));
    }
  });

  it('ran without CSP violations or page errors', () => {
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
