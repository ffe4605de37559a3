import { describe, expect, it } from 'vitest';
import { LoopActuator } from '../../src/control/loop-actuator.js';
import { Recentring, type RecentringOptions } from '../../src/control/recentring.js';
import { gaussian } from './plant.js';

const band = { lo: 0.25, hi: 0.35 };

/**
 * A model trained in callback mode, as lossband's fixed-draw measure sees it: after epoch k
 * its weights have a loss without noise `c_k` that falls fast towards a floor (≈ 0.05–0.08 an
 * epoch in epochs 2–6, as example (a)'s conv net), plus what input noise σ adds (saturating
 * in σ²), plus the weights' own epoch-to-epoch jitter. `lossAt(σ)` is the same weights at
 * another σ: what a fixed-draw forward pass measures.
 */
function learningModel(seed: number) {
  const normal = gaussian(seed);
  let k = 0;
  let jitter = 0;
  const clean = (): number => 0.03 + 0.32 * Math.pow(0.72, k);
  const noise = (s: number): number => (2.2 * 0.35 * s * s) / (2.2 + 0.35 * s * s);
  return {
    /** One epoch of training at σ; then its loss at that σ. */
    train(sigma: number): number {
      k += 1 / (1 + 0.3 * sigma * sigma); // noise slows learning a little
      jitter = 0.012 * normal();
      return this.lossAt(sigma);
    },
    lossAt: (s: number): number => clean() + noise(s) + jitter,
  };
}

/** Out-of-band epochs after the first entry, in `epochs` epochs, and the forward passes the searches cost. */
function run(seed: number, options: RecentringOptions, epochs = 30): { out: number[]; passes: number } {
  const model = learningModel(seed);
  const actuator = new LoopActuator({ band, draws: 1 });
  const recentring = new Recentring(options);
  const out: number[] = [];
  let entered = false;
  let passes = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const sigma = actuator.actuation.sigma;
    const loss = model.train(sigma);
    const inBand = loss >= band.lo && loss <= band.hi;
    entered ||= inBand;
    if (entered && !inBand) out.push(epoch);
    actuator.observe({ loss, valLoss: loss, valAccuracy: 1, durationMs: 1, nonFinite: false });
    passes += recentring.afterEpoch(actuator, { sigma, loss }, model.lossAt)?.evaluations ?? 0;
  }
  return { out, passes };
}

describe('Recentring on a simulated model that still learns fast', () => {
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8];

  it('with the drift, leaves the band in fewer start-up epochs than aiming at the middle once it left', () => {
    const withDrift = seeds.map((s) => run(s, {}));
    const middle = seeds.map((s) => run(s, { drift: false }));
    // Epoch 2 is out either way on most seeds: epoch 1 meets the band at σ's floor, and the
    // fall to epoch 2 is the first thing known of the drift. Count the epochs after it.
    const count = (runs: { out: number[] }[]): number =>
      runs.reduce((n, r) => n + r.out.filter((e) => e > 2).length, 0);
    // Aiming at the middle lags the learning by an epoch: the loss lands below the band again.
    expect(count(middle)).toBeGreaterThanOrEqual(seeds.length);
    expect(count(withDrift)).toBeLessThanOrEqual(count(middle) / 2);
    // Searching before the loss leaves costs passes; not more than 3 a run on average over the first one's 9.
    const passes = withDrift.reduce((n, r) => n + r.passes, 0) - middle.reduce((n, r) => n + r.passes, 0);
    expect(passes / seeds.length).toBeLessThan(3 * 3);
  });

  it('does nothing while the loss sits mid-band and is not predicted to leave', () => {
    const actuator = new LoopActuator({ band, draws: 1 });
    const recentring = new Recentring();
    let calls = 0;
    const lossAt = (): number => {
      calls += 1;
      return 0.3;
    };
    for (let i = 0; i < 10; i++) {
      actuator.observe({ loss: 0.3, valLoss: 0.3, valAccuracy: 1, durationMs: 1, nonFinite: false });
      expect(recentring.afterEpoch(actuator, { sigma: actuator.actuation.sigma, loss: 0.3 }, lossAt)).toBeNull();
    }
    expect(calls).toBe(0);
  });

  it('searches before the loss leaves when its fall at a fixed σ will take it out next epoch', () => {
    const actuator = new LoopActuator({ band, draws: 1, initialSigma: 0.8 });
    const recentring = new Recentring();
    const observe = (loss: number) =>
      actuator.observe({ loss, valLoss: loss, valAccuracy: 1, durationMs: 1, nonFinite: false });
    const sigma = actuator.actuation.sigma;
    observe(0.34);
    expect(recentring.afterEpoch(actuator, { sigma, loss: 0.34 }, () => NaN)).toBeNull();
    // The loop held σ (in band); the loss fell 0.06 in an epoch: 0.28 now, 0.22 predicted.
    observe(0.28);
    const held = actuator.actuation.sigma;
    const done = recentring.afterEpoch(actuator, { sigma: held, loss: 0.28 }, (s) => 0.28 + 0.5 * Math.log(s / held));
    expect(done?.reason).toBe('leaving');
    expect(done?.target).toBeCloseTo(0.33); // 0.30 + 0.06, kept 0.2 band widths inside
    expect(actuator.actuation.sigma).toBeGreaterThan(held);
    expect(Math.abs((done?.loss ?? 0) - 0.33)).toBeLessThanOrEqual(0.005);
  });

  it('does not chase a chance dip to the middle: part of it is jitter the next weights give back', () => {
    const aimAfterDip = (options: RecentringOptions): number | undefined => {
      const actuator = new LoopActuator({ band, draws: 1, initialSigma: 0.8 });
      const recentring = new Recentring(options);
      let done = null;
      for (const loss of [0.3, 0.3, 0.3, 0.3, 0.3, 0.24]) {
        const sigma = actuator.actuation.sigma;
        actuator.observe({ loss, valLoss: loss, valAccuracy: 1, durationMs: 1, nonFinite: false });
        done = recentring.afterEpoch(actuator, { sigma, loss }, (s) => loss + 0.5 * Math.log(s / sigma));
      }
      return done?.target;
    };
    expect(aimAfterDip({ drift: false })).toBeCloseTo(0.3);
    const aim = aimAfterDip({}) ?? NaN;
    expect(aim).toBeLessThan(0.29);
    expect(aim).toBeGreaterThanOrEqual(0.27); // kept 0.2 band widths inside
  });

  it('rejects options it cannot use, naming them', () => {
    expect(() => new Recentring({ margin: 0.7 })).toThrow(/^margin: /);
    expect(() => new Recentring({ maxEvaluations: 0 })).toThrow(/^maxEvaluations: /);
  });
});
