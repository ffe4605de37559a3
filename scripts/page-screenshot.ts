/**
 * `npm run screenshot`: the README's picture of the live page. Runs the default job through the
 * built CLI (run `npm run build` first) on a free loopback port, waits until it has trained
 * EPOCHS epochs (default 1900 of its 2000), and saves the page, as headless Chromium draws it, to
 * docs/live-page.png.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '..');
const EPOCHS = Number(process.env.EPOCHS ?? 1900);

const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as { port: number };
    probe.close(() => resolve(port));
  });
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const out = mkdtempSync(path.join(tmpdir(), 'lossband-shot-'));
const cli = spawn(
  process.execPath,
  ['bin/lossband.js', 'run', '--port', String(port), '--out', path.join(out, 'run')],
  {
    cwd: ROOT,
    stdio: 'ignore',
  },
);
const url = `http://127.0.0.1:${port}`;
try {
  const epoch = async (): Promise<number> => {
    const runs = await fetch(`${url}/api/runs`)
      .then((r) => r.json() as Promise<{ epoch: number }[]>)
      .catch(() => undefined);
    if (cli.exitCode !== null) throw new Error(`lossband run exited ${cli.exitCode}`);
    return runs?.[0]?.epoch ?? 0;
  };
  while ((await epoch()) < 1) await new Promise((r) => setTimeout(r, 100));
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${url}/`);
  await page.waitForSelector('.chart canvas');
  while ((await epoch()) < EPOCHS) await new Promise((r) => setTimeout(r, 100));
  await page.screenshot({ path: path.join(ROOT, 'docs/live-page.png') });
  console.log('docs/live-page.png written');
} finally {
  await browser.close();
  cli.kill('SIGTERM');
  rmSync(out, { recursive: true, force: true });
}
