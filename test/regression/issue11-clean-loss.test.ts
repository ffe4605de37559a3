import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { RunHost } from '../../src/run/run-host.js';
import { runSession } from '../../src/run/run-session.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-clean-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs 60 epochs of the default preset with `layer` on top; the exported series and the events. */
async function run(name: string, layer: ConfigInput = {}) {
  const out = path.join(root, name);
  const config = resolveConfig([{ name, out, epochs: 60 }, layer], new Date());
  const host = await RunHost.start({ port: 0, log: pino({ level: 'silent' }) });
  const code = await runSession({
    config,
    host,
    progress: { epoch: () => undefined, stop: () => undefined },
    say: () => undefined,
    handleSignals: false,
  });
  expect(code).toBe(0);
  // An ended run's series stay exported for the retire grace period: read them now.
  const metrics = await host.registry.metrics();
  await host.close();
  const events = fs
    .readFileSync(path.join(out, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { epoch: number; cleanLoss?: number });
  const series = new RegExp(`^lossband_clean_loss\\{run="${name}"\\} (\\S+)$`, 'm').exec(metrics)?.[1];
  return { series, measured: events.filter((e) => e.cleanLoss !== undefined) };
}

// Issue 11, item 9: the dashboard's lossband_clean_loss panel was empty on a default run, because
// the clean loss was only measured with `controller.signal: clean`.
describe('the clean loss on a default run', () => {
  it('is measured on epoch 1 and every 50th epoch after it, recorded as cleanLoss and exported as lossband_clean_loss', async () => {
    const { series, measured } = await run('default');
    expect(measured.map((e) => e.epoch)).toEqual([1, 51]);
    for (const e of measured) expect(e.cleanLoss).toBeGreaterThan(0);
    expect(Number(series)).toBe(measured.at(-1)?.cleanLoss);
  });

  it('follows --clean-every / metrics.cleanEvery, and 0 turns it off', async () => {
    expect((await run('every-10', { metrics: { cleanEvery: 10 } })).measured.map((e) => e.epoch)).toEqual([
      1, 11, 21, 31, 41, 51,
    ]);
    const off = await run('off', { metrics: { cleanEvery: 0 } });
    expect(off.measured).toEqual([]);
    expect(off.series).toBeUndefined();
  });

  it('is still measured every epoch when the controller holds it (signal: clean), whatever cleanEvery says', async () => {
    const { measured } = await run('signal-clean', { controller: { signal: 'clean' }, metrics: { cleanEvery: 0 } });
    expect(measured).toHaveLength(60);
  });
});
