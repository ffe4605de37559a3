import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const bin = path.resolve('bin/lossband.js');
const lossband = (args: string[]) => exec(process.execPath, [bin, ...args]);
const read = (dir: string, file: string): string => fs.readFileSync(path.join(dir, file), 'utf8');

// Issue 11, item 2: resuming a finished run blanked its summary, and a finished run could not be extended.
describe('resume of a finished run', () => {
  it('says there is nothing to do and changes no file; --epochs N extends it to N epochs', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-finished-')), 'r');
    await lossband(['run', '--epochs', '30', '--port', '0', '--quiet', '--out', dir]);
    const before = Object.fromEntries(
      ['summary.json', 'events.jsonl', 'checkpoint.json'].map((f) => [f, read(dir, f)]),
    );
    const again = await lossband(['run', '--resume', dir, '--port', '0']);
    expect(again.stdout).toMatch(/already finished 30 epochs; nothing to do/);
    for (const [file, text] of Object.entries(before)) expect(read(dir, file), file).toBe(text);

    await lossband(['run', '--resume', dir, '--port', '0', '--quiet', '--epochs', '45']);
    const summary = JSON.parse(read(dir, 'summary.json'));
    expect(summary).toMatchObject({ state: 'finished', epochs: 45 });
    expect(summary.finalLoss).toEqual(expect.any(Number));
    expect(summary.testAccuracy).toEqual(expect.any(Number));
    expect(summary.finalSigma).toEqual(expect.any(Number));
    const epochs = read(dir, 'events.jsonl')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).epoch);
    expect(epochs).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
  });

  it('keeps the final figures in summary.json when a stopped run is resumed with no epochs left', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-finished-')), 'r');
    await lossband(['run', '--epochs', '20', '--port', '0', '--quiet', '--out', dir]);
    // Make it look stopped at its last epoch: the summary is then not a "finished" one.
    const summary = JSON.parse(read(dir, 'summary.json'));
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ ...summary, state: 'stopped' }));
    await lossband(['run', '--resume', dir, '--port', '0', '--quiet']);
    const after = JSON.parse(read(dir, 'summary.json'));
    expect(after).toMatchObject({
      state: 'finished',
      epochs: 20,
      finalLoss: summary.finalLoss,
      testAccuracy: summary.testAccuracy,
      finalSigma: summary.finalSigma,
    });
  });
});
