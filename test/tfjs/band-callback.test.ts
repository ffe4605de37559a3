import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { BandCallback, bandCallback } from '../../src/tfjs/band-callback.js';
import { controlledNoise } from '../../src/tfjs/controlled-noise.js';
import { noiseLayers } from '../../src/tfjs/noise-layers.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const N = 2048;
const x = tf.randomNormal([N, 1]);
afterAll(() => x.dispose());
const tmp = (): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-cb-')), 'run');
const lines = (dir: string): { epoch: number; loss: number; sigma: number; inBand: boolean }[] =>
  fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** Every file of a run directory with its bytes: what "nothing is written" compares. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('base64')]),
  );

/**
 * A model whose training loss is σ² (see tfjs-model-plant.test.ts): noise → a frozen identity,
 * MSE on y = x. The band [0.2, 0.3] on the MSE is held at σ ≈ 0.5.
 */
function identityModel(units = 1): tf.Sequential {
  const model = tf.sequential({
    layers: [
      controlledNoise({ inputShape: [1] }),
      tf.layers.dense({ units, kernelInitializer: 'ones', useBias: false }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
  return model;
}

describe('bandCallback with model.fit', () => {
  it('holds an MSE band by setting σ on the noise layer, and writes the run directory', async () => {
    const out = tmp();
    const model = identityModel();
    const cb = bandCallback({
      band: { lo: 0.2, hi: 0.3 },
      out,
      run: 'identity',
      port: 0,
      checkpointEvery: 20,
      noise: { sigma: 0.1 },
    });
    await model.fit(x, x, { epochs: 80, batchSize: 512, callbacks: [cb], verbose: 0 });
    const events = lines(out);
    expect(events.map((e) => e.epoch)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    const first = events.findIndex((e) => e.inBand);
    expect(first).toBeGreaterThanOrEqual(0);
    const after = events.slice(first);
    expect(after.filter((e) => e.inBand).length / after.length).toBeGreaterThanOrEqual(0.9);
    expect(noiseLayers(model)[0]?.sigma).toBeGreaterThan(0.3);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ run: 'identity', state: 'finished', epochs: 80 });
    const cp = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint.json'), 'utf8'));
    expect(cp.epoch).toBe(80);
    expect(cp.plant.optimizer).toBeDefined();
    expect(fs.existsSync(path.join(out, 'report.svg'))).toBe(true);
    expect(fs.existsSync(path.join(out, '.lossband.lock'))).toBe(false);
    model.dispose();
  });

  it('starts the report thread once training has run its delay (at the end of a shorter run), and writes report.svg either way', async () => {
    const started: boolean[][] = [];
    const saved = BandCallback.reportThreadDelayMs;
    try {
      for (const delay of [0, 60_000]) {
        BandCallback.reportThreadDelayMs = delay;
        const out = tmp();
        const cb = bandCallback({ band: { lo: 0.2, hi: 0.3 }, out, run: `delay-${delay}`, port: 0 });
        const seen: boolean[] = [];
        // Runs after the band callback in each epoch: has the report thread been started?
        const probe = new (class extends tf.Callback {
          override async onEpochEnd(): Promise<void> {
            seen.push((cb as unknown as { reports?: unknown }).reports !== undefined);
          }
        })();
        await identityModel().fit(x, x, { epochs: 3, batchSize: 512, callbacks: [cb, probe], verbose: 0 });
        started.push(seen);
        expect(fs.existsSync(path.join(out, 'report.svg'))).toBe(true);
      }
    } finally {
      BandCallback.reportThreadDelayMs = saved;
    }
    expect(started).toEqual([
      [true, true, true],
      [false, false, false],
    ]);
  });

  it('measures the fixed draw on measureRows rows of trainingData, and frees that sample when training ends', async () => {
    const held: number[] = [];
    for (const measureRows of [N, 200]) {
      const before = tf.memory().numTensors;
      const model = identityModel();
      const cb = bandCallback({
        band: { lo: 0.2, hi: 0.3 },
        out: tmp(),
        port: 0,
        trainingData: [x, x],
        measureRows,
        recentre: false,
        noise: { sigma: 0.5 },
      });
      await model.fit(x, x, { epochs: 1, batchSize: 512, callbacks: [cb], verbose: 0 });
      held.push(cb.summary?.finalLoss ?? NaN);
      // The noise layer keeps its fixed draws while it lives; the sample goes when training ends.
      model.optimizer.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    // σ = 0.5 on the identity model: the loss is σ² = 0.25 over any rows, but over 200 rows
    // it is not the same number as over all of them.
    expect(held[0]).toBeCloseTo(0.25, 1);
    expect(held[1]).toBeCloseTo(0.25, 1);
    expect(held[1]).not.toBe(held[0]);
  });

  it('resumes: restore() brings back the controller and the epoch count', async () => {
    const out = tmp();
    const first = identityModel();
    await first.fit(x, x, {
      epochs: 30,
      batchSize: 512,
      callbacks: [bandCallback({ band: { lo: 0.2, hi: 0.3 }, out, run: 'r', port: 0 })],
      verbose: 0,
    });
    const sigmaAt30 = lines(out).at(-1)?.sigma;
    const second = identityModel();
    const cb = bandCallback({ band: { lo: 0.2, hi: 0.3 }, out, run: 'r', port: 0, resume: true });
    const done = await cb.restore(second);
    expect(done).toBe(30);
    await second.fit(x, x, { epochs: 40, initialEpoch: done, batchSize: 512, callbacks: [cb], verbose: 0 });
    const events = lines(out);
    expect(events.map((e) => e.epoch)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // The controller continued where it was: σ of epoch 31 is the loop's answer to epoch 30, not the initial σ.
    expect(events[30]?.sigma).toBeGreaterThan(0.2);
    expect(Math.abs((events[30]?.sigma ?? 0) - (sigmaAt30 ?? 0))).toBeLessThan(0.2);
    first.dispose();
    second.dispose();
  });

  it('with trainingData it holds the fixed-draw loss: on the identity model loss / σ² is one number every epoch', async () => {
    const out = tmp();
    const model = identityModel();
    // recentre off: σ climbs through several values, each measured with the same draw.
    const cb = bandCallback({
      band: { lo: 0.2, hi: 0.3 },
      trainingData: [x, x],
      recentre: false,
      out,
      port: 0,
      report: false,
    });
    await model.fit(x, x, { epochs: 8, batchSize: 512, callbacks: [cb], verbose: 0 });
    const ratios = lines(out).map((e) => e.loss / e.sigma ** 2);
    expect(new Set(lines(out).map((e) => e.sigma)).size).toBeGreaterThan(3); // σ moved
    // The same draw z every epoch: loss = σ²·mean(z²), to float32 rounding.
    for (const r of ratios) expect(r / (ratios[0] as number)).toBeCloseTo(1, 5);
    // 'fit' holds the logged epoch mean, fresh noise every epoch: the ratio wanders.
    const out2 = tmp();
    const fit = bandCallback({
      band: { lo: 0.2, hi: 0.3 },
      trainingData: [x, x],
      measure: 'fit',
      out: out2,
      port: 0,
      report: false,
    });
    await identityModel().fit(x, x, { epochs: 8, batchSize: 512, callbacks: [fit], verbose: 0 });
    const wander = lines(out2).map((e) => e.loss / e.sigma ** 2);
    expect(Math.max(...wander) / Math.min(...wander)).toBeGreaterThan(1.01);
    model.dispose();
  });

  it('recentres: a loss that leaves the band is answered by the σ that meets its middle, in one epoch', async () => {
    // Identity model: fixed-draw loss = c·σ². Epoch 1 at σ = 0.1 lies far below [0.2, 0.3].
    const run = async (recentre: boolean) => {
      const out = tmp();
      const cb = bandCallback({
        band: { lo: 0.2, hi: 0.3 },
        trainingData: [x, x],
        recentre,
        out,
        port: 0,
        report: false,
      });
      const model = identityModel();
      await model.fit(x, x, { epochs: 3, batchSize: 512, callbacks: [cb], verbose: 0 });
      model.dispose();
      return lines(out);
    };
    const on = await run(true);
    expect(on[0]?.loss).toBeLessThan(0.2);
    // Bisection to within 1.8 % of σ: the loss within ~4 % of the middle, 0.25.
    expect(on[1]?.loss).toBeGreaterThan(0.24);
    expect(on[1]?.loss).toBeLessThan(0.26);
    expect(on[1]?.inBand).toBe(true);
    const off = await run(false);
    expect(off[1]?.inBand).toBe(false); // the pid alone climbs over several epochs
  });

  describe('misuse gets one clear error naming the option, and nothing is written', () => {
    it('a measure it cannot make', async () => {
      const out = tmp();
      await expect(
        bandCallback({ band: { lo: 0.2, hi: 0.3 }, measure: 'fixed-draw', out, port: 0 }).restore(identityModel()),
      ).rejects.toThrow(/^bandCallback: measure 'fixed-draw': needs trainingData/);
      await expect(
        bandCallback({
          band: { lo: 0.2, hi: 0.3 },
          measure: 'fixed-draw',
          trainingData: [x, x],
          monitor: 'val_loss',
          out,
          port: 0,
        }).restore(identityModel()),
      ).rejects.toThrow(/^bandCallback: measure 'fixed-draw': measures a training loss, not monitor "val_loss"/);
      await expect(
        bandCallback({ band: { lo: 0.2, hi: 0.3 }, measure: 'best' as never, out, port: 0 }).restore(identityModel()),
      ).rejects.toThrow(/^bandCallback: measure: expected 'fixed-draw' or 'fit', got "best"/);
      expect(fs.existsSync(out)).toBe(false);
    });

    it('a measureRows that is not a whole number >= 1', async () => {
      const out = tmp();
      for (const rows of [0, 2.5, -3]) {
        await expect(
          bandCallback({ band: { lo: 0.2, hi: 0.3 }, trainingData: [x, x], measureRows: rows, out, port: 0 }).restore(
            identityModel(),
          ),
        ).rejects.toThrow(new RegExp(`^bandCallback: measureRows: expected a whole number >= 1, got ${rows}$`));
      }
      expect(fs.existsSync(out)).toBe(false);
    });

    it('recentring options it cannot use', async () => {
      const out = tmp();
      const open = (recentre: unknown) =>
        bandCallback({
          band: { lo: 0.2, hi: 0.3 },
          trainingData: [x, x],
          recentre: recentre as never,
          out,
          port: 0,
        }).restore(identityModel());
      await expect(open({ margin: 2 })).rejects.toThrow(/^bandCallback: recentre: margin: expected 0 to 0\.5/);
      await expect(open('often')).rejects.toThrow(/^bandCallback: recentre: expected true, false or options/);
      expect(fs.existsSync(out)).toBe(false);
    });

    it('a model without a controlledNoise layer', async () => {
      const out = tmp();
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      await expect(
        model.fit(x, x, {
          epochs: 1,
          callbacks: [bandCallback({ band: { lo: 0.2, hi: 0.3 }, out, port: 0 })],
          verbose: 0,
        }),
      ).rejects.toThrow(/has no controlledNoise layer/);
      expect(fs.existsSync(out)).toBe(false);
      model.dispose();
    });

    it('no band, or an invalid one', async () => {
      const out = tmp();
      expect(() => bandCallback({ out } as never)).toThrow(/^bandCallback: band: required/);
      await expect(bandCallback({ band: { lo: 0.4, hi: 0.3 }, out, port: 0 }).restore(identityModel())).rejects.toThrow(
        /^bandCallback: band\.lo: lo must be less than hi/,
      );
      expect(fs.existsSync(out)).toBe(false);
      await expect(bandCallback({ band: { lo: 0.4, hi: 0.3 } }).restore(identityModel())).rejects.toThrow(
        /^bandCallback: band\.lo: lo must be less than hi/,
      );
    });

    it('a band on a loss the model does not log', async () => {
      const out = tmp();
      const model = identityModel();
      await expect(
        model.fit(x, x, {
          epochs: 1,
          callbacks: [bandCallback({ band: { lo: 0.2, hi: 0.3 }, out, port: 0, monitor: 'val_loss' })],
          verbose: 0,
        }),
      ).rejects.toThrow(/bandCallback: monitor "val_loss": the model logs only loss/);
      expect(fs.existsSync(out)).toBe(false);
      model.dispose();
    });

    it('resuming with a different architecture', async () => {
      const out = tmp();
      const model = identityModel();
      await model.fit(x, x, {
        epochs: 3,
        callbacks: [bandCallback({ band: { lo: 0.2, hi: 0.3 }, out, run: 'a', port: 0 })],
        verbose: 0,
      });
      const before = snapshot(out);
      const other = identityModel(2);
      await expect(
        bandCallback({ band: { lo: 0.2, hi: 0.3 }, out, run: 'a', port: 0, resume: true }).restore(other),
      ).rejects.toThrow(/^bandCallback: resume: \S*checkpoint\.json: different architecture: [^\n]*$/);
      expect(snapshot(out)).toEqual(before);
      model.dispose();
      other.dispose();
    });
  });
});
