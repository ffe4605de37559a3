import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/server/run-control.js';
import {
  eventEpochs,
  killLeftovers,
  freePort,
  getJson,
  oneToN,
  readJson,
  start,
  sweepFile,
  tmp,
} from '../sweep/sweep-cli.js';

afterEach(killLeftovers);

const token = 'sweep-test-token-0123456789';

// Issue 13 §2: many runs on worker threads behind one server.
describe('lossband sweep: 4 Iris runs, 2 at a time, behind one port', () => {
  it('serves every run’s series and lists every run in the API while the sweep runs; steers runs; SIGTERM stops the rest with checkpoints and exit 0', async () => {
    // Points 0 and 1 end after 30 epochs; 2 and 3 (epochs 0 = until stopped) start after them
    // and run until told, so the test can look while all four exist, without racing a clock.
    const file = sweepFile('name: one-port\nbase:\n  checkpointEvery: 50\ngrid:\n  epochs: [30, 30, 0, 0]\n');
    const out = path.join(tmp(), 'sweep');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const sweep = start(['sweep', file, '--out', out, '--port', String(port), '--concurrency', '2'], {
      LOSSBAND_TOKEN: token,
    });
    const names = ['one-port-0-epochs30', 'one-port-1-epochs30', 'one-port-2-epochs0', 'one-port-3-epochs0'];

    const views = await sweep.until('runs 0 and 1 finished and runs 2 and 3 training', async () => {
      const runs = await getJson<RunView[]>(`${url}/api/runs`);
      const state = (name: string) => runs?.find((r) => r.run === name);
      const ok =
        runs?.length === 4 &&
        ['finished', 'finished', 'running', 'running'].every((s, i) => state(names[i]!)?.state === s) &&
        names.slice(2).every((n) => state(n)!.epoch > 0);
      return ok ? runs : undefined;
    });
    expect(views.map((v) => v.run).sort()).toEqual(names);
    expect(views.find((v) => v.run === names[0])).toMatchObject({ epoch: 30, epochs: 30, backend: 'js' });

    // One port, every run: the finished ones stay for their grace period, the running ones count on.
    // (/metrics serves a snapshot up to ~0.5 s older than the API's views: wait for it to catch up.)
    const metrics = await sweep.until('/metrics has all four runs training or done', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return names.every((n) => new RegExp(`^lossband_epochs_total\\{run="${n}"\\} [1-9]`, 'm').test(text))
        ? text
        : undefined;
    });
    for (const name of names) {
      expect(metrics).toMatch(new RegExp(`^lossband_epochs_total\\{run="${name}"\\} \\d+`, 'm'));
      expect(metrics).toMatch(new RegExp(`^lossband_training_loss\\{run="${name}"\\} `, 'm'));
    }
    expect(metrics).toContain(`lossband_run_state{run="${names[0]}",state="finished"} 1`);
    expect(metrics).toContain(`lossband_run_state{run="${names[3]}",state="running"} 1`);
    expect(metrics).toMatch(/^lossband_epochs_total\{run="one-port-0-epochs30"\} 30$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d/m);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // The API steers a run on its worker: a new band is applied and recorded, then a stop.
    const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const put = await fetch(`${url}/api/runs/${names[2]}/band`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ lo: 0.2, hi: 0.3 }),
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as RunView).band).toEqual({ lo: 0.2, hi: 0.3 });
    const banded = await sweep.until('run 2 trains against the new band', async () => {
      const run = await getJson<RunView & { lastEvent: { band: { lo: number } } | null }>(
        `${url}/api/runs/${names[2]}`,
      );
      return run?.lastEvent?.band.lo === 0.2 ? run : undefined;
    });
    expect(banded.band).toEqual({ lo: 0.2, hi: 0.3 });
    expect(readJson(out, names[2]!, 'control.json')).toMatchObject({ band: { lo: 0.2, hi: 0.3 } });
    expect((await fetch(`${url}/api/runs/${names[2]}/stop`, { method: 'POST', headers: auth })).status).toBe(202);
    await sweep.until('run 2 reported stopped', () =>
      sweep.out().includes(`• ${names[2]}: stopped`) ? true : undefined,
    );
    expect((await fetch(`${url}/api/runs/${names[0]}/pause`, { method: 'POST', headers: auth })).status).toBe(409);

    sweep.child.kill('SIGTERM');
    const { code } = await sweep.exited;
    expect(code).toBe(0);
    expect(sweep.out()).toContain('stopping: every run stops at its next epoch boundary');
    expect(sweep.out()).toContain(`continue with: lossband sweep --resume ${out}`);

    for (const name of names.slice(2)) {
      const summary = readJson<{ state: string; epochs: number }>(out, name, 'summary.json');
      expect(summary.state).toBe('stopped');
      expect(readJson<{ epoch: number }>(out, name, 'checkpoint.json').epoch).toBe(summary.epochs);
      expect(eventEpochs(path.join(out, name))).toEqual(oneToN(summary.epochs));
    }

    // Results: one row per point.
    const rows = parse(fs.readFileSync(path.join(out, 'sweep.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((r) => [r.index, r.name, r['params.epochs'], r.state])).toEqual([
      ['0', names[0], '30', 'finished'],
      ['1', names[1], '30', 'finished'],
      ['2', names[2], '0', 'stopped'],
      ['3', names[3], '0', 'stopped'],
    ]);
    expect(rows[0]).toMatchObject({ epochs: '30' });
    expect(Number(rows[0]!.finalLoss)).toBe(readJson<{ finalLoss: number }>(out, names[0]!, 'summary.json').finalLoss);
    const json = readJson<{ name: string; state: string; params: unknown }[]>(out, 'sweep.json');
    expect(json.map((r) => r.state)).toEqual(['finished', 'finished', 'stopped', 'stopped']);
    expect(json[2]!.params).toEqual({ epochs: 0 });
    const svg = fs.readFileSync(path.join(out, 'sweep.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const name of names) expect(svg).toContain(name);
    expect(fs.readFileSync(path.join(out, 'sweep.yaml'), 'utf8')).toBe(fs.readFileSync(file, 'utf8'));
    expect(readJson<{ sessions: number; points: { state: string }[] }>(out, 'sweep-state.json')).toMatchObject({
      sessions: 1,
      points: [{ state: 'finished' }, { state: 'finished' }, { state: 'stopped' }, { state: 'stopped' }],
    });
  }, 180_000);
});
