import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const script = path.resolve('docker/run-or-resume.sh');

describe('docker/run-or-resume.sh (the compose trainer entrypoint)', () => {
  it('starts a run the first time and resumes the same run directory after a restart', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-compose-')), 'compose');
    const env = { ...process.env, LOSSBAND_RUN_DIR: dir, LOSSBAND_PORT: '0', LOSSBAND_HOST: '127.0.0.1' };
    const first = await exec('/bin/sh', [script, '--epochs', '40', '--quiet'], { env });
    expect(first.stdout).toMatch(/finished: 40 epochs/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).name).toBe('compose');
    const summary = fs.readFileSync(path.join(dir, 'summary.json'), 'utf8');
    // A finished run restarted by compose says so and changes nothing (issue 11, item 2).
    const second = await exec('/bin/sh', [script, '--epochs', '999'], { env });
    expect(second.stdout).toMatch(/run compose already finished 40 epochs; nothing to do/);
    expect(fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n')).toHaveLength(40);
    expect(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')).toBe(summary);
  });
});
