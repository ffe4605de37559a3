import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/lossband.js');
const iris = path.resolve('data/iris.csv');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-trust-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** `lossband args…` in `cwd`; resolves with the exit code and output. */
function lossband(args: string[], cwd = root): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // Not a pass condition: a run that never stops must not outlive the test.
  const reaper = setTimeout(() => child.kill('SIGKILL'), 100_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(reaper);
      resolve({ code, stdout, stderr });
    }),
  );
}

const readEvents = (dir: string): string => fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8');

/** A finished 60-epoch run (checkpoints every 10) in a fresh directory. */
async function finishedRun(name: string, extra: string[] = []): Promise<string> {
  const dir = path.join(fs.mkdtempSync(path.join(root, `${name}-`)), 'r');
  const made = await lossband([
    'run',
    '--epochs',
    '60',
    '--port',
    '0',
    '--quiet',
    '--checkpoint-every',
    '10',
    '--out',
    dir,
    ...extra,
  ]);
  expect(made.stderr).toBe('');
  expect(made.code).toBe(0);
  return dir;
}

// Issue 11, item 14 (the part not fixed with the run layer): resume trusted what it found.
describe('resume trusts nothing it finds', () => {
  it('refuses a CSV changed since the run started, naming the file (exit 2)', async () => {
    const csv = path.join(fs.mkdtempSync(path.join(root, 'csv-')), 'flowers.csv');
    fs.copyFileSync(iris, csv);
    const dir = await finishedRun('changed', ['--data', csv]);
    const recorded = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).data;
    expect(recorded.path).toBe(csv);
    expect(recorded.sha256).toMatch(/^[0-9a-f]{64}$/);

    fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replace('5.1,3.5,1.4,0.2', '5.1,3.5,1.4,0.3'));
    const before = readEvents(dir);
    const refused = await lossband(['run', '--resume', dir, '--port', '0', '--epochs', '80']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^lossband: ${csv}: sha256 [0-9a-f]{12}… does not match data\\.sha256 ${recorded.sha256.slice(0, 12)}…: the file changed since the run recorded it; restore it or start a new run\\n$`,
      ),
    );
    expect(readEvents(dir)).toBe(before);
  });

  it('resolves a relative --data against the directory the run started in, so it resumes from anywhere', async () => {
    const project = fs.mkdtempSync(path.join(root, 'project-'));
    fs.copyFileSync(iris, path.join(project, 'flowers.csv'));
    const made = await lossband(
      ['run', '--data', 'flowers.csv', '--epochs', '30', '--port', '0', '--quiet', '--out', 'runs/rel'],
      project,
    );
    expect(made.code).toBe(0);
    const dir = path.join(project, 'runs/rel');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).data.path).toBe(
      path.join(project, 'flowers.csv'),
    );
    const elsewhere = fs.mkdtempSync(path.join(root, 'elsewhere-'));
    const resumed = await lossband(['run', '--resume', dir, '--port', '0', '--quiet', '--epochs', '45'], elsewhere);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(readEvents(dir).trim().split('\n')).toHaveLength(45);
  });

  it('refuses the events lines null, {} and {"epoch":"51"} in the middle of the history, naming file:line (exit 2)', async () => {
    const dir = await finishedRun('line');
    const good = readEvents(dir).split('\n');
    for (const bad of ['null', '{}', '{"epoch":"51"}']) {
      fs.writeFileSync(path.join(dir, 'events.jsonl'), [...good.slice(0, 50), bad, ...good.slice(51)].join('\n'));
      const before = readEvents(dir);
      const refused = await lossband(['run', '--resume', dir, '--port', '0', '--epochs', '80']);
      expect(refused.code, bad).toBe(2);
      expect(refused.stderr, bad).toBe(
        `lossband: ${path.join(dir, 'events.jsonl')}:51: not an epoch event (needs a JSON object with an integer "epoch")\n`,
      );
      expect(readEvents(dir), bad).toBe(before); // nothing dropped, nothing rewritten
    }
  });

  it('refuses a checkpoint whose weights are short or not base64, naming the checkpoint (exit 2)', async () => {
    const dir = await finishedRun('weights');
    const file = path.join(dir, 'checkpoint.json');
    const good = JSON.parse(fs.readFileSync(file, 'utf8'));
    const w0: string = good.plant.weights[0];
    const cases = {
      short: {
        ...good,
        plant: {
          ...good.plant,
          weights: [Buffer.from(w0, 'base64').subarray(0, 8).toString('base64'), ...good.plant.weights.slice(1)],
        },
      },
      'bad base64': {
        ...good,
        plant: { ...good.plant, weights: [`${w0.slice(0, 8)}!!!!${w0.slice(12)}`, ...good.plant.weights.slice(1)] },
      },
      'fewer arrays': { ...good, plant: { ...good.plant, weights: good.plant.weights.slice(1) } },
    };
    for (const [what, cp] of Object.entries(cases)) {
      fs.writeFileSync(file, JSON.stringify(cp));
      const refused = await lossband(['run', '--resume', dir, '--port', '0', '--epochs', '80']);
      expect(refused.code, what).toBe(2);
      expect(refused.stderr, what).toMatch(new RegExp(`^lossband: ${file}: damaged checkpoint \\([^\\n]+\\)\\n$`));
    }
  });
});
