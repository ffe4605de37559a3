import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { IN_CI } from './binaries.js';

/** Debian's Chromium, which `.ci/run` installs; playwright-core downloads no browser. */
export const CHROMIUM = '/usr/bin/chromium';

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

/** Why the browser tests cannot run here, or undefined. Printed once when they skip. */
export const chromiumMissing = existsSync(CHROMIUM) ? undefined : `missing ${CHROMIUM} (apt-get install chromium)`;

/** Skip the browser tests visibly where Chromium is missing, except under CI=true, where they fail. */
export const skipBrowserTests = chromiumMissing !== undefined && !IN_CI;
if (skipBrowserTests) console.warn(`[integration] skipping the page's browser tests: ${chromiumMissing}`);

/** A headless Chromium with its own profile, and what the page reported while the tests ran. */
export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught exceptions of the page. */
  readonly pageErrors: string[];
  /** Console messages about Content-Security-Policy refusals. */
  readonly cspViolations: string[];
  close(): Promise<void>;
}

/** Launches Chromium (throws under CI=true when it is missing) with one page open. */
export async function launchBrowser(timeoutMs = 60_000): Promise<Browser> {
  if (chromiumMissing !== undefined) throw new Error(`CI=true and ${chromiumMissing}`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'lossband-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(timeoutMs);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return {
    context,
    page,
    pageErrors,
    cspViolations,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** What app.js exposes on `window.__lossband`, as far as the tests read it. */
export interface PageState {
  chart: { data: (number | null)[][]; bands: { series: number[] }[] } | null;
  resets: number;
  connection: string;
}
export type PageGlobal = { __lossband?: PageState };

/** The chart's plotted columns (epoch, loss, smoothed, lo, hi, σ, K). */
export function plotted(page: Page): Promise<(number | null)[][]> {
  return page.evaluate(() =>
    ((globalThis as unknown as PageGlobal).__lossband?.chart?.data ?? []).map((c) => Array.from(c)),
  );
}

/** Waits until the chart's last plotted epoch is `epoch` and `resets` resets have arrived. */
export async function untilPlotted(page: Page, epoch: number, resets = 0): Promise<(number | null)[][]> {
  await page.waitForFunction(
    ([want, wantResets]) => {
      const live = (globalThis as unknown as PageGlobal).__lossband;
      return live?.chart?.data[0]?.at(-1) === want && live.resets >= wantResets;
    },
    [epoch, resets] as const,
  );
  return plotted(page);
}
