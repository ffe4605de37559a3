import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '../../../bin/lossband.js');

/**
 * A run directory whose history holds `epochs` epochs, built in seconds: a real `lossband run`
 * of `real` epochs (config, checkpoint with the model's state, events, summary), whose history
 * is then continued with copies of its last event renumbered up to `epochs`, and whose
 * checkpoint is moved to the last of them. Resuming it continues after epoch `epochs` exactly as
 * a run that had trained that long (the model state is the real run's). Returns the size of
 * the history in bytes.
 *
 * @example
 * longHistory('/tmp/r100k', 100_000); // ≈ 47 MB of events.jsonl
 */
export function longHistory(dir: string, epochs: number, real = 20): number {
  execFileSync(process.execPath, [bin, 'run', '--epochs', String(real), '--port', '0', '--quiet', '--out', dir], {
    stdio: 'pipe',
  });
  const eventsFile = path.join(dir, 'events.jsonl');
  const lines = fs.readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean);
  const last = JSON.parse(lines.at(-1) as string) as { epoch: number; timestamp: number };
  const fd = fs.openSync(eventsFile, 'a');
  let chunk: string[] = [];
  let event = last;
  for (let e = real + 1; e <= epochs; e++) {
    event = { ...last, epoch: e, timestamp: last.timestamp + (e - real) };
    chunk.push(JSON.stringify(event));
    if (chunk.length === 5000 || e === epochs) {
      fs.writeSync(fd, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  fs.closeSync(fd);
  const cpFile = path.join(dir, 'checkpoint.json');
  const cp = JSON.parse(fs.readFileSync(cpFile, 'utf8')) as Record<string, unknown> & { stats: object };
  fs.writeFileSync(cpFile, JSON.stringify({ ...cp, epoch: epochs, last: event, stats: { ...cp.stats, epochs } }));
  fs.rmSync(path.join(dir, 'report.svg'), { force: true });
  return fs.statSync(eventsFile).size;
}
