import { describe, expect, it } from 'vitest';
import { createDrawsPolicy, type DrawsPolicyOptions, type DrawsState } from '../../src/control/draws-policy.js';
import { gaussian } from './plant.js';

const band = { lo: 0.3, hi: 0.4 };

interface Scenario {
  /** Jitter std with one draw at this epoch's σ. */
  readonly oneDrawStd: (epoch: number) => number;
  /** σ of each epoch. Defaults to 1 (so both jitter models see the same numbers). */
  readonly sigma?: (epoch: number) => number;
  /** Loss level the jitter rides on. Defaults to the band midpoint. */
  readonly level?: (epoch: number) => number;
}

/** Runs the policy on a loss with jitter std oneDrawStd/√K for the K in force; returns each epoch's K. */
function run(epochs: number, scenario: Scenario, options: DrawsPolicyOptions = {}, seed = 1): number[] {
  const { oneDrawStd, sigma = () => 1, level = () => 0.35 } = scenario;
  const policy = createDrawsPolicy(options);
  const normal = gaussian(seed);
  let state: DrawsState = policy.init();
  const ks: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const draws = state.draws;
    ks.push(draws);
    const raw = level(epoch) + (oneDrawStd(epoch) / Math.sqrt(draws)) * normal();
    state = policy.step(state, { raw, draws, band, sigma: sigma(epoch), nextSigma: sigma(epoch + 1) });
  }
  return ks;
}

const changes = (ks: number[]): number => ks.filter((k, i) => i > 0 && k !== ks[i - 1]).length;

describe('createDrawsPolicy (auto)', () => {
  it('picks K > 1 when the jitter is large next to the band (Iris at σ ≈ 0.7: 0.044 vs 0.1)', () => {
    for (const seed of [1, 2, 3]) {
      const k = run(600, { oneDrawStd: () => 0.044 }, {}, seed).at(-1)!;
      // needed = (0.044 / (0.1/7))² ≈ 9.5; raised with headroom 1.5 to ≈ 14
      expect(k).toBeGreaterThanOrEqual(9);
      expect(k).toBeLessThanOrEqual(16);
      expect(Number.isInteger(k)).toBe(true);
    }
  });

  it('keeps K = 1 when the jitter is small next to the band', () => {
    expect(new Set(run(600, { oneDrawStd: () => 0.005 }))).toEqual(new Set([1]));
  });

  it('ignores the descent itself: a steadily falling loss is not jitter', () => {
    const level = (t: number) => 0.02 + 1.2 * Math.exp(-t / 20) + 0.25 / (1 + t / 150);
    expect(Math.max(...run(400, { oneDrawStd: () => 0.002, level }))).toBe(1);
  });

  it('never exceeds maxDraws', () => {
    expect(Math.max(...run(300, { oneDrawStd: () => 1 }, { maxDraws: 8 }))).toBe(8);
  });

  it('changes K rarely on stationary jitter', () => {
    for (const seed of [1, 2, 3, 4])
      expect(changes(run(3000, { oneDrawStd: () => 0.044 }, {}, seed))).toBeLessThanOrEqual(2);
  });

  it('lowers K after a sustained drop in jitter, not before the dwell', () => {
    const ks = run(1200, { oneDrawStd: (t) => (t <= 400 ? 0.044 : 0.004) });
    expect(ks[399]).toBeGreaterThan(4);
    expect(ks[405]).toBe(ks[399]);
    expect(ks.at(-1)).toBe(1);
  });

  it('proportional model: K follows a σ step at once, from jitter learnt at the old σ', () => {
    // jitter std = 0.06·σ; σ doubles from 0.35 to 0.7 at epoch 500 → needed ×4
    const sigma = (t: number) => (t < 500 ? 0.35 : 0.7);
    const ks = run(520, { oneDrawStd: (t) => 0.06 * sigma(t), sigma });
    expect(ks[497]).toBeLessThanOrEqual(8);
    expect(ks[500]).toBeGreaterThan(ks[497]! * 2);
    const constant = run(520, { oneDrawStd: (t) => 0.06 * sigma(t), sigma }, { jitterModel: 'constant' });
    expect(constant[500]).toBe(constant[497]);
  });

  it('proportional model: without noise (σ = 0) there is nothing to average, K stays 1', () => {
    expect(new Set(run(300, { oneDrawStd: () => 0.05, sigma: () => 0 }))).toEqual(new Set([1]));
  });
});

describe('createDrawsPolicy (fixed)', () => {
  it('does not read optimiser spikes as noise jitter: rare large jumps leave K where the jitter puts it', () => {
    // Jitter 0.01 (K = 1 suffices for a 0.1 band), plus a 0.5 spike every 25th epoch (160 jumps in 2000
    // epochs, as on raw-scale data): a mean-square estimate reads them as jitter and pins K at 16.
    const spiky: Scenario = { oneDrawStd: () => 0.01, level: (e) => 0.35 + (e % 25 === 0 ? 0.5 : 0) };
    expect(Math.max(...run(2000, spiky).slice(200))).toBeLessThanOrEqual(3);
    expect(Math.max(...run(2000, spiky, { robust: false }).slice(200))).toBe(16);
  });

  it('reports the band too narrow only after 50 epochs in which even maxDraws leaves the jitter too wide', () => {
    const policy = createDrawsPolicy({ maxDraws: 4 });
    const normal = gaussian(3);
    let state = policy.init();
    const narrow = { lo: 0.34, hi: 0.36 };
    const flags: boolean[] = [];
    for (let epoch = 1; epoch <= 200; epoch++) {
      // One-draw jitter 0.04: at K = 4, 0.02 std; holding 90 % of a 0.02-wide band needs ≤ 0.006.
      const raw = 0.35 + (0.04 / Math.sqrt(state.draws)) * normal();
      state = policy.step(state, { raw, draws: state.draws, band: narrow, sigma: 1, nextSigma: 1 });
      flags.push(policy.tooNarrow(state));
    }
    const first = flags.indexOf(true);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThan(70);
    expect(policy.jitter(state, 1, 4)).toBeCloseTo(0.02, 2);
    // The same jitter in a 0.1-wide band (0.02 std × 3.3 = 0.066 < 0.1) is holdable.
    let wide = policy.init();
    for (let epoch = 1; epoch <= 200; epoch++) {
      const raw = 0.35 + (0.04 / Math.sqrt(wide.draws)) * normal();
      wide = policy.step(wide, { raw, draws: wide.draws, band, sigma: 1, nextSigma: 1 });
    }
    expect(policy.tooNarrow(wide)).toBe(false);
  });

  it('returns the configured K whatever the jitter', () => {
    expect(new Set(run(200, { oneDrawStd: () => 0.5 }, { mode: 4 }))).toEqual(new Set([4]));
  });

  it('rejects bad options, naming the value', () => {
    expect(() => createDrawsPolicy({ mode: 2.5 })).toThrow(/draws: 2.5/);
    expect(() => createDrawsPolicy({ mode: 0 })).toThrow(/draws: 0/);
    expect(() => createDrawsPolicy({ maxDraws: 0 })).toThrow(/maxDraws: 0/);
  });

  it('skips non-finite losses', () => {
    const policy = createDrawsPolicy();
    const s = policy.init();
    expect(policy.step(s, { raw: NaN, draws: 1, band, sigma: 1, nextSigma: 1 })).toBe(s);
  });
});
