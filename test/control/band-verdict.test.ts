import { describe, expect, it } from 'vitest';
import {
  describeVerdict,
  INITIAL_VERDICT,
  stepVerdict,
  type VerdictInput,
  type VerdictState,
} from '../../src/control/band-verdict.js';
import { initLoop, loopStep } from '../../src/control/closed-loop.js';
import { simulateLoop } from './simulate.js';

const band = { lo: 0.3, hi: 0.4 };
const limits = { min: 0.1, max: 10 };
const input = (over: Partial<VerdictInput>): VerdictInput => ({
  raw: 0.35,
  smoothed: 0.35,
  band,
  sigma: 1,
  limits,
  ...over,
});
const run = (inputs: VerdictInput[], state: VerdictState = INITIAL_VERDICT): VerdictState[] => {
  const out: VerdictState[] = [];
  for (const i of inputs) out.push((state = stepVerdict(state, i)));
  return out;
};

describe('stepVerdict', () => {
  it('is not-held before the first entry and held once the raw loss stays in band', () => {
    const states = run([input({ raw: 0.6, smoothed: 0.6 }), input({}), input({})]);
    expect(states.map((s) => s.status)).toEqual(['not-held', 'held', 'held']);
  });

  it('falls to not-held when the recent in-band share drops under 0.9', () => {
    const states = run([input({}), ...Array.from({ length: 10 }, () => input({ raw: 0.45, smoothed: 0.45 }))]);
    expect(states.at(-1)!.status).toBe('not-held');
    expect(states.at(-1)!.share).toBeLessThan(0.9);
  });

  it('calls a band above chance level unreachable-above at the first epoch', () => {
    const high = { lo: 1.5, hi: 1.6 };
    const [first] = run([input({ band: high, raw: 1.2, smoothed: 1.2, sigma: 0.1, chanceLoss: Math.log(3) })]);
    expect(first!.status).toBe('unreachable-above');
    // The same band with 6 classes (ln 6 ≈ 1.79) is not judged by chance level.
    const [six] = run([input({ band: high, raw: 1.2, smoothed: 1.2, sigma: 0.1, chanceLoss: Math.log(6) })]);
    expect(six!.status).toBe('not-held');
  });

  it('calls unreachable-above after exactly 20 epochs at the σ ceiling below the band, and recovers when the loss enters', () => {
    const below = input({ raw: 0.2, smoothed: 0.2, sigma: 10 });
    const states = run(Array.from({ length: 20 }, () => below));
    expect(states[18]!.status).toBe('not-held');
    expect(states[19]!.status).toBe('unreachable-above');
    const after = stepVerdict(states[19]!, input({ sigma: 10 }));
    expect(after.status).toBe('held');
  });

  it('does not judge σ saturation for controllers without limits (fixed, flooding)', () => {
    const states = run(Array.from({ length: 50 }, () => input({ raw: 0.2, smoothed: 0.2, sigma: 10, limits: null })));
    expect(states.at(-1)!.status).toBe('not-held');
  });

  it('calls unreachable-below after a 100-epoch window at the σ floor in which the loss stalled above the band', () => {
    const flat = Array.from({ length: 100 }, (_, k) => input({ raw: 0.5, smoothed: 0.5 - 1e-6 * k, sigma: 0.1 }));
    const states = run(flat);
    expect(states[98]!.status).toBe('not-held');
    expect(states[99]!.status).toBe('unreachable-below');
  });

  it('keeps quiet about a loss at the σ floor that is on course to enter the band', () => {
    // 0.2 above the band, falling 0.001 per epoch: 0.1 per window, so 2 windows away.
    const descent = Array.from({ length: 300 }, (_, k) =>
      input({ raw: 0.9 - 0.001 * k, smoothed: 0.9 - 0.001 * k, sigma: 0.1 }),
    );
    expect(run(descent).every((s) => s.status === 'not-held')).toBe(true);
  });
});

describe('describeVerdict', () => {
  it('names the band, the reason and a remedy for each unreachable verdict, and nothing otherwise', () => {
    expect(describeVerdict('unreachable-above', { lo: 1.5, hi: 1.6 }, { chanceLoss: Math.log(3) })).toMatch(
      /\[1.5, 1.6\].*ln\(classes\) = 1.099/,
    );
    expect(describeVerdict('unreachable-above', band, { sigmaMax: 10, smoothed: 0.21 })).toMatch(
      /noise.max = 10.*0.210/,
    );
    expect(describeVerdict('unreachable-below', band, { sigmaMin: 0.001 })).toMatch(/noise.min = 0.001/);
    expect(describeVerdict('held', band, {})).toBeUndefined();
  });
});

describe('the verdict in the closed loop', () => {
  it('reports unreachable-above within climb + 20 epochs for a band above what noise can add (synthetic plant)', () => {
    // The plant starts at ≈ 1.2 and its noise adds at most 1.1: [2.5, 2.6] is above anything
    // σ ≤ 10 reaches, and with the classes unknown only σ saturation can tell.
    const high = { lo: 2.5, hi: 2.6 };
    const { events } = simulateLoop({ band: high }, { seed: 2 }, 300);
    const atMax = events.findIndex((e) => e.sigma === 10);
    const first = events.findIndex((e) => e.bandStatus === 'unreachable-above');
    expect(atMax).toBeGreaterThan(0);
    expect(atMax).toBeLessThanOrEqual(Math.ceil(Math.log(100) / 0.5) + 5);
    expect(first).toBe(atMax + 19);
    expect(events.slice(first).every((e) => e.bandStatus === 'unreachable-above')).toBe(true);
  });

  it('reports a band above chance level at the first epoch when the classes are known', () => {
    const out = loopStep(initLoop({ band: { lo: 1.5, hi: 1.6 }, classes: 3 }), {
      loss: 1.1,
      valLoss: 1.1,
      valAccuracy: 0.3,
      durationMs: 1,
      nonFinite: false,
    });
    expect(out.bandStatus).toBe('unreachable-above');
  });

  it('says held on the default band', () => {
    const { events } = simulateLoop({ band }, { seed: 1 }, 600);
    expect(events.at(-1)!.bandStatus).toBe('held');
  });
});
