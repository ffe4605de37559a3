import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/lossband.js');
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function lossband(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-cli-'));
const events = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { epoch: number; loss: number });

describe('lossband run', () => {
  it("--preset seed prints the seed program's 50 lines and writes the run directory", async () => {
    const out = path.join(tmp(), 'seed');
    const r = await lossband('run', '--preset', 'seed', '--port', '0', '--out', out);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('Epoch '));
    expect(lines).toHaveLength(50);
    expect(lines[0]).toMatch(/^Epoch 1\/50 Loss: \d+\.\d+$/);
    expect(lines[49]).toMatch(/^Epoch 50\/50 Loss: /);
    expect(r.stdout).toMatch(/^run seed-\S+ → \S+$/m);
    expect(r.stdout).toMatch(/^engine: (js|node|wasm|cpu)$/m);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ epochs: 50, state: 'finished' });
    expect(summary.backend).toMatch(/^(js|node|wasm|cpu)$/);
    expect(events(out).map((e) => e.epoch)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('gives identical losses for the same --seed', async () => {
    const [a, b] = [path.join(tmp(), 'a'), path.join(tmp(), 'b')];
    const args = ['run', '--epochs', '120', '--seed', '9', '--port', '0', '--quiet'];
    expect((await lossband(...args, '--out', a)).code).toBe(0);
    expect((await lossband(...args, '--out', b)).code).toBe(0);
    expect(events(a).map((e) => e.loss)).toEqual(events(b).map((e) => e.loss));
  });

  it('trains a user CSV to a sensible test accuracy', async () => {
    const dir = tmp();
    const csv = path.join(dir, 'wine-copy.csv');
    fs.copyFileSync(path.resolve('data/wine.csv'), csv);
    const out = path.join(dir, 'run');
    const r = await lossband('run', '--data', csv, '--epochs', '300', '--port', '0', '--quiet', '--out', out);
    expect(r.code).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.testAccuracy).toBeGreaterThan(0.85);
  });

  it('a bad CSV cell on line 7 exits 2 with one line naming line 7', async () => {
    const dir = tmp();
    const csv = path.join(dir, 'bad.csv');
    const rows = ['a,b,label', '1,2,x', '3,4,y', '5,6,x', '7,8,y', '9,10,x', '11,oops,y', '13,14,x'];
    fs.writeFileSync(csv, rows.join('\n') + '\n');
    const r = await lossband('run', '--data', csv, '--port', '0', '--out', path.join(dir, 'run'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${csv}:7:2`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(dir, 'run', 'events.jsonl'))).toBe(false);
  });

  it.each([
    [['--bogus'], /unknown option/],
    [['--epochs', 'ten'], /--epochs: not a number/],
    [['--band', '0.5:0.1'], /--band: lo must be less than hi/],
    [['--backend', 'gpu'], /--backend: /],
    [['--data', '/nonexistent/file.csv'], /\/nonexistent\/file\.csv: /],
    [['--label', 'nope'], /nope/],
  ])('bad input %j exits 2 with one line', async (args, message) => {
    const r = await lossband('run', '--port', '0', '--out', path.join(tmp(), 'x'), ...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('a bad config file names file:line:column and key', async () => {
    const dir = tmp();
    const file = path.join(dir, 'c.yaml');
    fs.writeFileSync(file, 'epochs: 5\nnoise:\n  sigma: -2\n');
    const r = await lossband('run', '--config', file, '--port', '0', '--out', path.join(dir, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file}:3:\\d+: noise\\.sigma: `));
  });

  it('refuses an --out that holds a run, leaving it intact', async () => {
    const out = path.join(tmp(), 'keep');
    expect((await lossband('run', '--epochs', '5', '--port', '0', '--quiet', '--out', out)).code).toBe(0);
    const before = fs.readFileSync(path.join(out, 'events.jsonl'), 'utf8');
    const r = await lossband('run', '--epochs', '5', '--port', '0', '--quiet', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds a run/);
    expect(fs.readFileSync(path.join(out, 'events.jsonl'), 'utf8')).toBe(before);
  });
});
