import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { EpochMeasurement } from '../../src/core/epoch-measurement.js';
import { LossbandMetrics } from '../../src/metrics/index.js';
import { Run } from '../../src/run/run.js';
import { readCheckpoint, type Checkpoint } from '../../src/store/checkpoint.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-fault-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A simulated plant's epoch: plain numbers, `nonFinite` false. */
const epoch = (loss: number): EpochMeasurement => ({
  loss,
  valLoss: 0.4,
  valAccuracy: 0.9,
  durationMs: 1,
  nonFinite: false,
});

/** The numbers a non-finite answer poisoned (JSON writes NaN and Infinity as null). */
const poisonable = (cp: Checkpoint | undefined): unknown[] => {
  const pid = cp?.loop.controller as { logSigma: unknown; integral: unknown; lastMeasurement: unknown };
  return [cp?.loop.actuation.sigma, pid.logSigma, pid.integral, pid.lastMeasurement];
};

// Issue 11, item 10 (second half): bands and gains are validated, but the controller's output was
// not. A finite loss of 1.7e308 (a plant on its way to diverging: issue 11 item 3 saw 6.65e37)
// overflows the PID's normalised error to -Infinity, and 0·Infinity in its P term gives NaN: σ
// became NaN, stayed NaN for good (the integral kept it), reached the plant, and the checkpoint
// saved `sigma: null`, which cannot be resumed. Now the loop discards the answer and holds σ.
describe('a controller output that is not finite', () => {
  it('holds the last good σ, counts an internal error of the controller, is logged once and never reaches a checkpoint', async () => {
    const dir = path.join(root, 'run');
    const config = resolveConfig([{ out: dir, name: 'fault', epochs: 0, checkpointEvery: 1 }], new Date());
    const registry = new Registry();
    const metrics = new LossbandMetrics(registry, { run: 'fault' });
    const logged: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    const run = await Run.open({ config, metrics, log: pino({ level: 'warn' }, sink) });
    run.attach({ exportState: () => ({ weights: [], optimizer: { type: 'sgd', iterations: 0 }, noise: {} }) });
    run.start();

    // The plant the σ goes to: it records every actuation it is asked to apply.
    const applied: number[] = [];
    const step = (loss: number) => {
      const actuation = run.actuator.actuation;
      applied.push(actuation.sigma);
      return run.observe(epoch(loss), actuation);
    };
    for (const loss of [0.6, 0.5, 0.45, 0.42, 0.41]) step(loss);
    const good = run.actuator.actuation.sigma;
    const faulty = [step(1.7e308), step(1.7e308), step(1.7e308)];
    for (const loss of [0.39, 0.36, 0.35]) step(loss);
    const lastCheckpointed = await run.lastCheckpoint();
    await run.end('stopped');

    // σ held: the epochs after the fault ran with the last good σ, never a NaN.
    expect(applied.every(Number.isFinite)).toBe(true);
    expect(applied.slice(6, 9)).toEqual([good, good, good]);
    expect(faulty.map((e) => e.controllerFault)).toEqual([true, true, true]);
    expect(Number.isFinite(run.actuator.actuation.sigma)).toBe(true);

    // Counted, on the controller's own label; logged once.
    const text = await registry.metrics();
    expect(text).toMatch(/lossband_internal_errors_total\{run="fault",component="controller"\} 3\n/);
    expect(logged.filter((l) => l.includes('non-finite σ'))).toHaveLength(1);

    // The checkpoints (one per epoch here, and the last) hold finite numbers only, and resume.
    for (const cp of [lastCheckpointed, readCheckpoint(path.join(dir, 'checkpoint.json'))]) {
      expect(cp).toBeDefined();
      expect(poisonable(cp).every(Number.isFinite)).toBe(true);
    }
    const events = fs
      .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sigma: number; controllerFault?: boolean });
    expect(events.map((e) => e.sigma).every(Number.isFinite)).toBe(true);
    expect(events.filter((e) => e.controllerFault).length).toBe(3);

    const resumed = await Run.open({
      config,
      metrics: new LossbandMetrics(new Registry(), { run: 'fault' }),
      log: pino({ level: 'silent' }),
      resume: true,
    });
    expect(resumed.actuator.actuation.sigma).toBe(run.actuator.actuation.sigma);
    await resumed.end('stopped');
  });
});

// Found with the sliced epochs (issue 11 item 17): a pause that arrives while a sliced epoch
// yields is applied before that epoch ends; pause() flushed events.jsonl, then the epoch was
// recorded into the buffer, and the file lagged the paused run by one epoch (page-browser test).
describe('an epoch recorded while paused', () => {
  it('is flushed to events.jsonl at once', async () => {
    const dir = path.join(root, 'paused');
    const config = resolveConfig([{ out: dir, name: 'paused', epochs: 0 }], new Date());
    const run = await Run.open({
      config,
      metrics: new LossbandMetrics(new Registry(), { run: 'paused' }),
      log: pino({ level: 'silent' }),
    });
    run.attach({ exportState: () => ({ weights: [], optimizer: { type: 'sgd', iterations: 0 }, noise: {} }) });
    run.start();
    run.observe(epoch(0.5), run.actuator.actuation);
    const applied = run.actuator.actuation; // the next epoch starts…
    run.pause(); // …the pause comes while it computes…
    run.observe(epoch(0.45), applied); // …and it ends after the pause's flush
    const lines = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { epoch: number }).epoch)).toEqual([1, 2]);
    await run.end('stopped');
  });
});
