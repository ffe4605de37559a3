/**
 * Per-epoch host-side costs around the plant, each timed in isolation (µs per call): the
 * CLI's actuator step (pure control loop), events.jsonl append, metrics recordEpoch, the
 * event's JSON, a setImmediate turn, and one checkpoint-style atomic write of the plant state.
 * Usage: tsx bench/profile/host-costs.ts [iris|mid]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { createActuator } from '../../src/run/create-actuator.js';
import { LossbandMetrics } from '../../src/metrics/index.js';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { writeFileAtomic } from '../../src/store/atomic-write.js';
import { EventsWriter } from '../../src/store/events-writer.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { TfjsPlant } from '../../src/engines/tfjs/tfjs-plant.js';
import { resolveWorkload, workloadHidden, workloadSplit, type ModelName } from '../lib/data.js';
import { median } from '../lib/stats.js';

await selectBackend();
const model = (process.argv[2] ?? 'iris') as ModelName;
const config = resolveWorkload(model);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-hostcost-'));
const m = { loss: 0.35, valLoss: 0.4, valAccuracy: 0.9, durationMs: 1, nonFinite: false };
const e: EpochEvent = {
  run: 'r',
  epoch: 1,
  ...m,
  sigma: 0.2,
  draws: 1,
  smoothedLoss: 0.36,
  band: { lo: 0.3, hi: 0.4 },
  inBand: true,
  terms: { p: 0, i: 0, d: 0, error: 0 },
  timestamp: Date.now(),
};

const perCall = (n: number, fn: (i: number) => void): number => {
  const reps: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    reps.push(((performance.now() - t0) * 1000) / n);
  }
  return median(reps.slice(2));
};

const actuator = createActuator(config);
const events = new EventsWriter(path.join(dir, 'events.jsonl'));
const metrics = new LossbandMetrics(new Registry(), { run: 'r' });
const plant = new TfjsPlant({ split: workloadSplit(model), hidden: workloadHidden(model) });
const state = JSON.stringify((plant as unknown as { exportState?: () => unknown }).exportState?.() ?? {});
const rows: [string, number][] = [
  ['actuator.observe (control loop)', perCall(20000, (i) => actuator.observe({ ...m, loss: 0.3 + (i % 10) / 100 }))],
  ['JSON.stringify(event)', perCall(20000, () => JSON.stringify(e))],
  ['events.append', perCall(20000, () => events.append(e))],
  ['metrics.recordEpoch', perCall(20000, () => metrics.recordEpoch(e))],
  [
    `writeFileAtomic checkpoint (${(state.length / 1024).toFixed(0)} KiB, 2 fsyncs)`,
    perCall(20, () => writeFileAtomic(path.join(dir, 'checkpoint.json'), state)),
  ],
];
const turn: number[] = [];
for (let r = 0; r < 7; r++) {
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let i = 0;
    const tick = (): void => (++i < 20000 ? void setImmediate(tick) : resolve());
    setImmediate(tick);
  });
  turn.push(((performance.now() - t0) * 1000) / 20000);
}
rows.push(['setImmediate turn (event loop)', median(turn.slice(2))]);
for (const [what, us] of rows) console.log(`${model} ${us.toFixed(2).padStart(9)} µs  ${what}`);
events.close();
plant.dispose();
fs.rmSync(dir, { recursive: true, force: true });
