import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { freePort } from './support/free-port.js';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/lossband.js');
const TOKEN = 'live-api-test-token-0123456789';

describe('control API on a live run', () => {
  it('refuses an unauthenticated change, applies an authenticated band change at the next epoch, and stops the run', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-live-')), 'run');
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'run', '--epochs', '0', '--port', String(port), '--out', out], {
      env: { ...process.env, LOSSBAND_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let stdout = '';
    const waitFor = (pattern: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(stdout)) {
            child.stdout.off('data', onData);
            resolve();
          }
        };
        const onData = (chunk: Buffer): void => {
          stdout += chunk.toString();
          check();
        };
        child.stdout.on('data', onData);
        child.once('exit', () => reject(new Error(`run exited before ${pattern}: ${stdout}`)));
        check();
      });
    try {
      await waitFor(/^epoch \d+ .*band \[0\.3, 0\.4\]/m);
      const base = `http://127.0.0.1:${port}/api/runs`;
      const [view] = (await (await fetch(base)).json()) as { run: string; band: { lo: number; hi: number } }[];
      expect(view?.band).toEqual({ lo: 0.3, hi: 0.4 });
      const band = `${base}/${view?.run}/band`;
      const body = JSON.stringify({ lo: 0.5, hi: 0.6 });
      const json = { 'content-type': 'application/json' };

      const anonymous = await fetch(band, { method: 'PUT', headers: json, body });
      expect(anonymous.status).toBe(401);
      const wrong = await fetch(band, {
        method: 'PUT',
        headers: { ...json, authorization: 'Bearer not-the-token-at-all' },
        body,
      });
      expect(wrong.status).toBe(401);
      expect(((await (await fetch(`${base}/${view?.run}`)).json()) as { band: unknown }).band).toEqual({
        lo: 0.3,
        hi: 0.4,
      });

      const changed = await fetch(band, {
        method: 'PUT',
        headers: { ...json, authorization: `Bearer ${TOKEN}` },
        body,
      });
      expect(changed.status).toBe(200);
      await waitFor(/^epoch \d+ .*band \[0\.5, 0\.6\]/m);

      const stop = await fetch(`${base}/${view?.run}/stop`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(stop.status).toBe(202);
      expect(await exited).toBe(0);

      const events = fs
        .readFileSync(path.join(out, 'events.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { band: { lo: number }; sigma: number });
      const switchAt = events.findIndex((e) => e.band.lo === 0.5);
      expect(switchAt).toBeGreaterThan(0);
      expect(events.slice(switchAt).every((e) => e.band.lo === 0.5)).toBe(true);
      // Bumpless: the first σ chosen under the new band equals the last one (the PID redoes its
      // integral at a band change); only later steps move σ toward the new band.
      expect(events[switchAt + 1]?.sigma).toBe(events[switchAt]?.sigma);
      expect((events.at(-1)?.sigma ?? 0) > (events[switchAt]?.sigma ?? Infinity)).toBe(true);
      const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as {
        state: string;
        band: unknown;
      };
      expect(summary.state).toBe('stopped');
      expect(summary.band).toEqual({ lo: 0.5, hi: 0.6 });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
