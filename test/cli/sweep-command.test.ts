import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-sweep-cmd-'));
const small = 'name: bad\nbase:\n  epochs: 5\ngrid:\n  seed: [1, 2]\n';
function sweepFile(text: string): string {
  const file = path.join(tmp(), 'sweep.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** Runs the CLI in process; returns its exit code and what it wrote. */
async function lossband(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const code = await main(['node', 'lossband', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Exit 2 and exactly one stderr line, `lossband: <message>`, nothing on stdout. */
async function refused(args: string[]): Promise<string> {
  const r = await lossband(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.endsWith('\n') && r.stderr.trim().split('\n').length === 1, r.stderr).toBe(true);
  expect(r.stdout).toBe('');
  return r.stderr.trim();
}

afterEach(() => {
  delete process.env.LOSSBAND_TOKEN;
});

describe('lossband sweep refuses bad input in one line, exit 2, before anything is written', () => {
  it('flags', async () => {
    const file = sweepFile(small);
    const out = path.join(tmp(), 'never');
    const flags = ['--out', out, '--port', '0'];
    expect(await refused(['sweep'])).toBe(
      'lossband: FILE: missing; usage: lossband sweep FILE.yaml, or lossband sweep --resume DIR',
    );
    expect(await refused(['sweep', file, '--concurrency', '0', ...flags])).toBe(
      'lossband: --concurrency: expected a whole number from 1 to 256, got "0"',
    );
    expect(await refused(['sweep', file, '--concurrency', 'many', ...flags])).toBe(
      'lossband: --concurrency: expected a whole number from 1 to 256, got "many"',
    );
    expect(await refused(['sweep', file, '--port', '70000', '--out', out])).toMatch(/^lossband: --port: /);
    expect(await refused(['sweep', file, '--index', '2', ...flags])).toBe(
      'lossband: --index "2": out of range; the sweep has 2 points (0-1)',
    );
    expect(await refused(['sweep', file, '--index', '0', '--concurrency', '2', ...flags])).toBe(
      'lossband: --concurrency: not used with --index (it runs one point)',
    );
    expect(await refused(['sweep', file, '--host', '0.0.0.0', '--out', out])).toBe(
      'lossband: --host 0.0.0.0: serving beyond loopback needs an API token (set LOSSBAND_TOKEN)',
    );
    process.env.LOSSBAND_TOKEN = 'short';
    expect(await refused(['sweep', file, ...flags])).toBe('lossband: LOSSBAND_TOKEN: at least 16 characters');
    delete process.env.LOSSBAND_TOKEN;
    expect(await refused(['sweep', file, '--resume', out])).toBe(
      `lossband: ${file}: not allowed with --resume (the sweep is ${path.join(out, 'sweep.yaml')})`,
    );
    expect(await refused(['sweep', '--resume', out, '--out', out])).toBe(
      'lossband: --out: not allowed with --resume (the sweep directory is the one resumed)',
    );
    expect(await refused(['sweep', '--resume', out, '--index', '1'])).toBe(
      'lossband: --index: not allowed with --resume (--index resumes its own point)',
    );
    expect(await refused(['sweep', '--resume', out])).toBe(
      `lossband: --resume ${out}: not a sweep directory (no sweep-state.json)`,
    );
    expect(await refused(['sweep', path.join(out, 'none.yaml'), ...flags])).toBe(
      `lossband: ${path.join(out, 'none.yaml')}: cannot read sweep file (ENOENT)`,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a bad sweep file, named at file:line:column', async () => {
    const file = sweepFile('name: bad\ngrid:\n  model.lerningRate: [0.1]\n');
    expect(await refused(['sweep', file, '--port', '0', '--out', path.join(tmp(), 'x')])).toBe(
      `lossband: ${file}:3:22: grid.model.lerningRate: unknown config key`,
    );
  });

  it('an --out that already holds a sweep or one of its runs, untouched', async () => {
    const out = tmp();
    fs.writeFileSync(path.join(out, 'sweep-state.json'), '{"keep": true}');
    expect(await refused(['sweep', sweepFile(small), '--out', out, '--port', '0'])).toBe(
      `lossband: --out ${out}: already holds a sweep (sweep-state.json); use --resume ${out} or another --out`,
    );
    expect(fs.readdirSync(out)).toEqual(['sweep-state.json']);
    const runs = tmp();
    fs.mkdirSync(path.join(runs, 'bad-1-seed2'));
    fs.writeFileSync(path.join(runs, 'bad-1-seed2', 'config.json'), '{}');
    expect(await refused(['sweep', sweepFile(small), '--out', runs, '--port', '0'])).toBe(
      `lossband: --out ${runs}: already holds run bad-1-seed2; use another --out`,
    );
    expect(fs.readdirSync(runs)).toEqual(['bad-1-seed2']);
  });

  it('--index on a run directory that holds another experiment', async () => {
    const out = path.join(tmp(), 'pods');
    const first = await lossband(['sweep', sweepFile(small), '--index', '0', '--out', out, '--port', '0', '--quiet']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^finished: 5 epochs/);
    const changed = sweepFile(small.replace('epochs: 5', 'epochs: 5\n  model:\n    learningRate: 0.05'));
    const config = path.join(out, 'bad-0-seed1', 'config.json');
    const before = fs.readFileSync(config, 'utf8');
    expect(await refused(['sweep', changed, '--index', '0', '--out', out, '--port', '0'])).toBe(
      `lossband: ${config}: holds run bad-0-seed1 with another config (model.learningRate differs); remove ${path.join(out, 'bad-0-seed1')} or choose another --out`,
    );
    expect(fs.readFileSync(config, 'utf8')).toBe(before);
  });
});
