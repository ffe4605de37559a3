import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelName } from './data.js';
import { freePort } from './free-port.js';
import type { Wiring } from './session.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * `node bin/lossband.js run --data iris|blobs [--hidden 256] [--backend B] --draws 1 --epochs N --port P
 * --checkpoint-every C --quiet --out TMP` in a fresh process — the product as shipped (dist/).
 * Returns the training phase per epoch and what the run was observed to do.
 */
export async function cliRun(
  model: ModelName,
  epochs: number,
  backend = 'auto',
): Promise<{ msPerEpoch: number; wiring: Wiring }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-cli-'));
  const out = path.join(dir, 'run');
  const port = await freePort();
  const data = model === 'iris' ? ['--data', 'iris'] : ['--data', 'blobs', '--hidden', '256'];
  const engine = backend === 'auto' ? [] : ['--backend', backend];
  const args = [
    'bin/lossband.js',
    'run',
    ...data,
    ...engine,
    '--draws',
    '1',
    '--epochs',
    String(epochs),
    '--port',
    String(port),
    '--checkpoint-every',
    model === 'iris' ? '100' : '10',
    '--quiet',
    '--out',
    out,
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let server = false;
  let running = true;
  void code.then(() => (running = false));
  while (running && !server) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      server = res.ok && (await res.text()).includes('lossband_');
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const status = await code;
  try {
    if (status !== 0) throw new Error(`lossband run exited ${status}: ${stderr.slice(-300)}`);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as {
      epochs: number;
      phases: { training: number };
    };
    const events = fs
      .readFileSync(path.join(out, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sigma: number });
    const wiring: Wiring = {
      events: events.length === epochs,
      controller: new Set(events.map((e) => e.sigma)).size > 1,
      server,
      checkpoints: fs.readdirSync(out).some((f) => /checkpoint/i.test(f)),
    };
    return { msPerEpoch: (summary.phases.training * 1000) / summary.epochs, wiring };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
