import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/server/run-control.js';
import {
  eventEpochs,
  killLeftovers,
  freePort,
  getJson,
  lossband,
  oneToN,
  readJson,
  start,
  sweepFile,
  tmp,
} from '../sweep/sweep-cli.js';

afterEach(killLeftovers);

interface Event {
  epoch: number;
  loss: number;
  sigma: number;
  draws: number;
  smoothedLoss: number;
  valLoss: number;
}
const trajectory = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { epoch, loss, sigma, draws, smoothedLoss, valLoss } = JSON.parse(l) as Event;
      return { epoch, loss, sigma, draws, smoothedLoss, valLoss };
    });
const withoutOut = (dir: string) => {
  const { out: _out, ...rest } = readJson(dir, 'config.json');
  return rest;
};

// Issue 13 §2 and §4: "Killing the sweep and --resume completes it with every run's events
// complete and unduplicated"; "--index picks the same point the local sweep runs".
describe('lossband sweep --resume after kill -9, and --index', () => {
  it('finishes what was left: finished runs untouched, interrupted ones continued from checkpoints, the rest started', async () => {
    const file = sweepFile('name: kr\nbase:\n  checkpointEvery: 50\ngrid:\n  epochs: [40, 3000, 3000, 3000]\n');
    const out = path.join(tmp(), 'sweep');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const names = ['kr-0-epochs40', 'kr-1-epochs3000', 'kr-2-epochs3000', 'kr-3-epochs3000'];
    const sweep = start(['sweep', file, '--out', out, '--port', String(port), '--concurrency', '2']);
    await sweep.until('run 0 finished, run 1 past epoch 120 and run 2 training', async () => {
      const runs = await getJson<RunView[]>(`${url}/api/runs`);
      const view = (i: number) => runs?.find((r) => r.run === names[i]);
      return view(0)?.state === 'finished' && (view(1)?.epoch ?? 0) >= 120 && view(2)?.state === 'running'
        ? true
        : undefined;
    });
    sweep.child.kill('SIGKILL');
    expect((await sweep.exited).signal).toBe('SIGKILL');

    // What the kill left: run 0 finished; what each other run holds decides what --resume does.
    const dir = (i: number) => path.join(out, names[i]!);
    expect(readJson(dir(0), 'summary.json')).toMatchObject({ state: 'finished', epochs: 40 });
    const finished0 = Object.fromEntries(
      fs
        .readdirSync(dir(0))
        .filter((f) => !f.startsWith('.'))
        .map((f) => [
          f,
          { text: fs.readFileSync(path.join(dir(0), f), 'utf8'), mtime: fs.statSync(path.join(dir(0), f)).mtimeMs },
        ]),
    );
    expect(Object.keys(finished0)).toEqual(
      expect.arrayContaining(['config.json', 'events.jsonl', 'checkpoint.json', 'summary.json', 'report.svg']),
    );
    const ended = names.filter((n) => readJsonOr(path.join(out, n, 'summary.json'))?.state === 'finished').length;
    const started = names.filter((n) => fs.existsSync(path.join(out, n, 'config.json'))).length;
    expect(started - ended).toBeGreaterThanOrEqual(1); // at least one run was interrupted mid-way
    expect(fs.existsSync(path.join(dir(1), 'checkpoint.json'))).toBe(true);
    expect(readJson<{ points: { state: string }[] }>(out, 'sweep-state.json').points[1]!.state).toBe('running');

    const resumed = await lossband(['sweep', '--resume', out, '--port', '0', '--concurrency', '2']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(
      `resuming: ${ended} already ended (left as they are), ${started - ended} to continue from their checkpoints, ${4 - started} to start`,
    );
    for (const [i, name] of names.entries()) {
      const epochs = i === 0 ? 40 : 3000;
      expect(readJson(out, name, 'summary.json')).toMatchObject({ state: 'finished', epochs });
      expect(eventEpochs(dir(i))).toEqual(oneToN(epochs)); // complete, in order, no duplicates
    }
    for (const [f, { text, mtime }] of Object.entries(finished0)) {
      expect(fs.readFileSync(path.join(dir(0), f), 'utf8'), f).toBe(text);
      expect(fs.statSync(path.join(dir(0), f)).mtimeMs, f).toBe(mtime);
    }
    const state = readJson<{ sessions: number; points: { state: string }[] }>(out, 'sweep-state.json');
    expect(state.sessions).toBe(2);
    expect(state.points.map((p) => p.state)).toEqual(['finished', 'finished', 'finished', 'finished']);
    expect(readJson<{ state: string }[]>(out, 'sweep.json').map((r) => r.state)).toEqual([
      'finished',
      'finished',
      'finished',
      'finished',
    ]);

    // A second --resume has nothing left to do and changes no run.
    const events1 = fs.readFileSync(path.join(dir(1), 'events.jsonl'), 'utf8');
    const nothing = await lossband(['sweep', '--resume', out, '--port', '0', '--quiet']);
    expect(nothing.code).toBe(0);
    expect(fs.readFileSync(path.join(dir(1), 'events.jsonl'), 'utf8')).toBe(events1);

    // --index 1 trains the same point as the sweep's run 1: the same config.json (but for its
    // directory) and, epoch for epoch, the trajectory the killed and resumed run 1 has.
    const other = path.join(tmp(), 'pods');
    const pod = await lossband(['sweep', file, '--index', '1', '--out', other, '--port', String(port), '--quiet']);
    expect(pod.code).toBe(0);
    const podDir = path.join(other, names[1]!);
    expect(fs.readdirSync(other)).toEqual([names[1]]); // one point, nothing else
    expect(withoutOut(podDir)).toEqual(withoutOut(dir(1)));
    expect(trajectory(podDir)).toEqual(trajectory(dir(1)));
    // A pod restarted after its point finished has nothing to do.
    const again = await lossband(['sweep', file, '--index', '1', '--out', other, '--port', '0']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`point 1 (${names[1]}) already finished in ${podDir}; nothing to do\n`);
  }, 240_000);
});

function readJsonOr(file: string): { state?: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { state?: string };
  } catch {
    return undefined;
  }
}
