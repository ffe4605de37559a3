import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readEventLines } from '../../src/store/read-event-lines.js';

const exec = promisify(execFile);
const bin = path.resolve('bin/lossband.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-stream-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/**
 * The heap the CLI gets: a size-independent bound. Reading the 300k-line history (~50 MB) into one
 * string and splitting it needs more than twice this; streaming needs the same ~35 MB for any length.
 */
const HEAP_MB = 64;
const EPOCHS = 300_000;

/** `lossband args…` under a {@link HEAP_MB} heap; resolves with the exit code and output (an OOM is code 134). */
function lossbandSmallHeap(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(process.execPath, [`--max-old-space-size=${HEAP_MB}`, bin, ...args], { maxBuffer: 1 << 20 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number | null; signal?: string; stdout: string; stderr: string }) => ({
      code: e.code ?? 128,
      stdout: e.stdout,
      stderr: e.stderr.slice(-300),
    }),
  );
}

/** Appends events `from..to` (compact but real event lines) to `file`, a megabyte at a time. */
function writeEvents(file: string, run: string, from: number, to: number): void {
  const fd = fs.openSync(file, 'a');
  let chunk = '';
  for (let e = from; e <= to; e++) {
    chunk +=
      JSON.stringify({
        run,
        epoch: e,
        loss: 0.35 + 0.04 * Math.sin(e / 50),
        smoothedLoss: 0.35,
        sigma: 0.2,
        draws: 1,
        band: { lo: 0.3, hi: 0.4 },
        inBand: true,
        nonFinite: false,
        timestamp: 1.7e12 + e,
      }) + '\n';
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}

// Issue 11, item 13: resume and `report` read the whole events.jsonl into one string, so a long
// run became unresumable ("Cannot create a string longer than 0x1fffffe8"). Both now stream.
describe('resume and report stream a long history in bounded memory', () => {
  it(`lossband report plots a ${EPOCHS}-line history under a ${HEAP_MB} MB heap`, async () => {
    const dir = path.join(root, 'report');
    fs.mkdirSync(dir);
    writeEvents(path.join(dir, 'events.jsonl'), 'big', 1, EPOCHS);
    expect(fs.statSync(path.join(dir, 'events.jsonl')).size).toBeGreaterThan(40 * 1024 * 1024);
    const { code, stdout, stderr } = await lossbandSmallHeap(['report', dir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(path.join(dir, 'report.svg'));
    const svg = fs.readFileSync(path.join(dir, 'report.svg'), 'utf8');
    expect(svg).toContain('>epoch<');
    expect(svg.length).toBeLessThan(1_000_000); // downsampled while streaming
  });

  it(`lossband run --resume reconciles a ${EPOCHS}-epoch history under a ${HEAP_MB} MB heap and continues it`, async () => {
    const dir = path.join(root, 'resume');
    await exec(process.execPath, [
      bin,
      'run',
      '--epochs',
      '20',
      '--port',
      '0',
      '--quiet',
      '--checkpoint-every',
      '10',
      '--out',
      dir,
    ]);
    // Make it a run checkpointed at epoch 300000: its history, then 40 epochs past the checkpoint and a torn line.
    const cpFile = path.join(dir, 'checkpoint.json');
    const cp = JSON.parse(fs.readFileSync(cpFile, 'utf8'));
    fs.writeFileSync(cpFile, JSON.stringify({ ...cp, epoch: EPOCHS, last: { ...cp.last, epoch: EPOCHS } }));
    const events = path.join(dir, 'events.jsonl');
    fs.rmSync(events);
    writeEvents(events, cp.run, 1, EPOCHS + 40);
    fs.appendFileSync(events, '{"run":"x","epoch":300041,"lo');

    const { code, stderr } = await lossbandSmallHeap([
      'run',
      '--resume',
      dir,
      '--port',
      '0',
      '--quiet',
      '--epochs',
      String(EPOCHS + 5),
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    let count = 0;
    let last = 0;
    for await (const l of readEventLines(dir)) {
      const e = JSON.parse(l.text).epoch as number;
      if (e !== last + 1) throw new Error(`${l.file}:${l.line}: epoch ${e} after ${last}`);
      last = e;
      count += 1;
    }
    expect({ count, last }).toEqual({ count: EPOCHS + 5, last: EPOCHS + 5 });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'))).toMatchObject({
      state: 'finished',
      epochs: EPOCHS + 5,
    });
  });
});
