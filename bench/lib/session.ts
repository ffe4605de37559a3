import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSession } from '../../src/run/run-session.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { resolveWorkload, type ModelName } from './data.js';
import { freePort } from './free-port.js';

/** What the CLI composition actually did during a run, observed from outside. */
export interface Wiring {
  /** events.jsonl has one line per epoch. */
  readonly events: boolean;
  /** σ moved or controller terms were non-zero (a feedback controller is in the loop). */
  readonly controller: boolean;
  /** `/metrics` answered with lossband_ series while training. */
  readonly server: boolean;
  /** A checkpoint file appeared in the run directory. */
  readonly checkpoints: boolean;
}

/** One in-process `lossband run` (the CLI's own `runSession`). */
export interface SessionResult {
  /** Training-phase wall time per epoch (summary.json `phases.training` / epochs), in ms. */
  readonly msPerEpoch: number;
  readonly wiring: Wiring;
  readonly dir: string;
}

/** Options of {@link runLossband}. */
export interface SessionOptions {
  readonly model: ModelName;
  readonly epochs: number;
  /** Extra config keys (e.g. backend). Defaults to none. */
  readonly extra?: ConfigInput;
  /** Called (and awaited) with the metrics URL before the run starts, e.g. to start a scraper. Defaults to none. */
  readonly onUrl?: (url: string) => Promise<void> | void;
}

/**
 * Runs `lossband run --data … --epochs N --port P --quiet --out TMP` in this process through
 * `runSession`, with draws fixed at 1 (so a bare loop can do identical work) and a checkpoint
 * interval that fires at least a few times. Whatever the CLI wires up is what gets measured.
 */
export async function runLossband(options: SessionOptions): Promise<SessionResult> {
  const { model, epochs } = options;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lossband-bench-${model}-`));
  const port = await freePort();
  const config = resolveWorkload(model, {
    epochs,
    name: `bench-${model}`,
    out: path.join(dir, 'run'),
    server: { port },
    checkpointEvery: model === 'iris' ? 100 : 10,
    ...options.extra,
  });
  const url = `http://127.0.0.1:${port}`;
  await options.onUrl?.(url);
  const signals = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  let server = false;
  let probing = true;
  const probe = async (): Promise<void> => {
    while (probing && !server) {
      try {
        const res = await fetch(`${url}/metrics`);
        server = res.ok && (await res.text()).includes('lossband_');
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const probed = probe();
  try {
    await runSession({ config, progress: { epoch: () => undefined, stop: () => undefined }, say: () => undefined });
  } finally {
    probing = false;
    await probed;
    // runSession adds SIGINT/SIGTERM listeners per call; drop ours so repeated runs do not leak.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      for (const l of process.listeners(sig)) if (!signals[sig].includes(l)) process.off(sig, l);
    }
  }
  const out = config.out;
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as {
    epochs: number;
    phases?: { training?: number };
  };
  const lines = fs.existsSync(path.join(out, 'events.jsonl'))
    ? fs.readFileSync(path.join(out, 'events.jsonl'), 'utf8').trim().split('\n')
    : [];
  const events = lines.map((l) => JSON.parse(l) as { sigma: number; terms?: { p: number; i: number } });
  const sigmas = new Set(events.map((e) => e.sigma));
  const wiring: Wiring = {
    events: events.length === epochs,
    controller: sigmas.size > 1 || events.some((e) => (e.terms?.p ?? 0) !== 0 || (e.terms?.i ?? 0) !== 0),
    server,
    checkpoints: walk(out).some((f) => /checkpoint/i.test(f)),
  };
  const training = summary.phases?.training;
  if (training === undefined) throw new Error(`${out}/summary.json has no phases.training`);
  fs.rmSync(dir, { recursive: true, force: true });
  return { msPerEpoch: (training * 1000) / summary.epochs, wiring, dir: out };
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [d.name]));
}

/** `events ✓ pid ✗ …` for a table cell. */
export function describeWiring(w: Wiring): string {
  const mark = (b: boolean): string => (b ? '✓' : '✗');
  return `events${mark(w.events)} controller${mark(w.controller)} server${mark(w.server)} ckpt${mark(w.checkpoints)}`;
}
