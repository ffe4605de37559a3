import { describe, expect, it } from 'vitest';
import type { Band } from '../../src/core/band.js';
import { EMPTY_BAND_STATISTICS, reduceBandStatistics } from '../../src/control/band-statistics.js';
import { ema, EMA_EMPTY } from '../../src/control/ema.js';
import { createPidController, DEFAULT_PID_OPTIONS, type PidOptions, type PidState } from '../../src/control/pid.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { createPlant, openLoopEntryEpoch } from './plant.js';

const band: Band = { lo: 0.3, hi: 0.4 };

/** PID + EMA(0.5) against the synthetic plant with K draws, as events. */
function runOnPlant(seed: number, epochs: number, options: PidOptions = {}, draws = 16): EpochEvent[] {
  const plant = createPlant({ seed });
  const pid = createPidController(options);
  let state = pid.init(0);
  let sigma = options.sigmaMin ?? DEFAULT_PID_OPTIONS.sigmaMin;
  let filter = EMA_EMPTY;
  const events: EpochEvent[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const m = plant.step({ sigma, draws });
    filter = ema(filter, m.loss);
    const out = pid.step(state, { measurement: filter.value ?? m.loss, raw: m.loss, band, dt: 1 });
    events.push({
      ...m,
      run: 't',
      epoch,
      sigma,
      draws,
      smoothedLoss: filter.value ?? NaN,
      band,
      inBand: false,
      terms: out.terms,
      timestamp: 0,
    });
    state = out.state;
    sigma = out.sigma;
  }
  return events;
}

/** Feeds a fixed measurement sequence; returns every output. */
function drive(measurements: number[], options: PidOptions = {}, state?: PidState, bands: Band[] = []) {
  const pid = createPidController(options);
  let s = state ?? pid.init(0);
  return measurements.map((y, k) => {
    const out = pid.step(s, { measurement: y, raw: y, band: bands[k] ?? band, dt: 1 });
    s = out.state;
    return out;
  });
}

describe('createPidController on the synthetic plant', () => {
  it.each([1, 2, 3, 4, 5])('holds the raw loss in band in ≥ 0.99 of epochs after first entry (seed %i)', (seed) => {
    const stats = runOnPlant(seed, 3000).reduce(reduceBandStatistics, EMPTY_BAND_STATISTICS);
    expect(stats.inBandFraction).toBeGreaterThanOrEqual(0.99);
  });

  it('sits at sigmaMin without winding while the loss is above the band, so entry is not delayed', () => {
    for (const seed of [1, 2, 3]) {
      const events = runOnPlant(seed, 200);
      const stats = events.reduce(reduceBandStatistics, EMPTY_BAND_STATISTICS);
      const open = openLoopEntryEpoch(band.lo, band.hi, { seed });
      expect(open).not.toBeNull();
      expect(stats.firstInBandEpoch).not.toBeNull();
      expect(stats.firstInBandEpoch!).toBeLessThanOrEqual(1.1 * open!);
      const above = events.filter((e) => e.epoch <= stats.firstInBandEpoch! && e.smoothedLoss > band.hi);
      expect(above.length).toBeGreaterThan(20);
      for (const e of above) {
        expect(e.sigma).toBe(DEFAULT_PID_OPTIONS.sigmaMin);
        expect(e.terms.i).toBeCloseTo(Math.log(DEFAULT_PID_OPTIONS.sigmaMin), 12);
      }
    }
  });

  it('does not chatter inside the band: the deadband cuts σ reversals several-fold', () => {
    const reversals = (options: PidOptions) =>
      runOnPlant(1, 3000, options).reduce(reduceBandStatistics, EMPTY_BAND_STATISTICS).sigmaReversals;
    expect(reversals({})).toBeLessThan(0.4 * reversals({ deadband: 0 }));
  });
});

/** PID + EMA on a static plant y = level + strength·σ² (noise acts within the epoch); returns the losses. */
function staticLoop(strength: number, options: PidOptions = {}, level = 0.25, epochs = 30): number[] {
  const pid = createPidController(options);
  let state = pid.init(DEFAULT_PID_OPTIONS.sigmaMin);
  let sigma = DEFAULT_PID_OPTIONS.sigmaMin;
  let filter = EMA_EMPTY;
  return Array.from({ length: epochs }, () => {
    const y = level + strength * sigma * sigma;
    filter = ema(filter, y);
    const out = pid.step(state, { measurement: filter.value ?? y, raw: y, band, dt: 1 });
    state = out.state;
    sigma = out.sigma;
    return y;
  });
}

const entry = (ys: number[]): number => ys.findIndex((y) => y >= band.lo && y <= band.hi) + 1;

describe('createPidController: measured plant gain', () => {
  it('reaches the band quickly over a 30× range of plant strength, and stays in it', () => {
    for (const strength of [0.03, 0.1, 1, 5]) {
      const ys = staticLoop(strength);
      expect(entry(ys)).toBeGreaterThan(0);
      expect(entry(ys)).toBeLessThanOrEqual(7);
      for (const y of ys.slice(entry(ys) - 1)) expect(y).toBeLessThanOrEqual(band.hi);
      expect(ys.at(-1)).toBeGreaterThanOrEqual(band.lo);
    }
  });

  it('climbs faster than fixed gains while σ barely moves the loss', () => {
    for (const strength of [0.03, 0.1, 1]) {
      expect(entry(staticLoop(strength))).toBeLessThan(entry(staticLoop(strength, { referenceGain: 0 })));
    }
  });
});

describe('createPidController: start-up lead', () => {
  // The loss falls through the band by 0.02 per epoch while σ is still at its floor.
  const falling = Array.from({ length: 8 }, (_, k) => 0.41 - 0.02 * k);

  it('starts the climb on the trend while the loss is still in the upper half', () => {
    const outs = drive(falling, {}, createPidController().init(DEFAULT_PID_OPTIONS.sigmaMin));
    const first = outs.findIndex((o) => o.sigma > DEFAULT_PID_OPTIONS.sigmaMin);
    expect(falling[first]!).toBeGreaterThan(0.35);
    const late = drive(falling, { lead: 0 }, createPidController().init(DEFAULT_PID_OPTIONS.sigmaMin));
    expect(late.findIndex((o) => o.sigma > DEFAULT_PID_OPTIONS.sigmaMin)).toBeGreaterThan(first);
  });

  it('never acts above the band, so the first entry is not delayed', () => {
    const above = Array.from({ length: 20 }, (_, k) => 0.8 - 0.02 * k);
    for (const o of drive(above, {}, createPidController().init(DEFAULT_PID_OPTIONS.sigmaMin))) {
      expect(o.sigma).toBe(DEFAULT_PID_OPTIONS.sigmaMin);
    }
  });
});

describe('createPidController', () => {
  it('normalises the error by the band width and raises σ when the loss is too low', () => {
    const [low] = drive([0.2], { kp: 0.1, deadband: 0 }, createPidController().init(0.5));
    const [high] = drive([0.5], { kp: 0.1, deadband: 0 }, createPidController().init(0.5));
    expect(low!.terms.error).toBeCloseTo(1.5, 12);
    expect(high!.terms.error).toBeCloseTo(-1.5, 12);
    expect(low!.sigma).toBeGreaterThan(0.5);
    expect(high!.sigma).toBeLessThan(0.5);
    expect(low!.terms.p + low!.terms.i + low!.terms.d).toBeCloseTo(Math.log(low!.sigma), 12);
  });

  it('holds σ perfectly still while the filtered loss is in the inner half of the band', () => {
    const outs = drive([0.35, 0.374, 0.326, 0.36, 0.34, 0.3251, 0.3749], {}, createPidController().init(0.5));
    expect(outs.map((o) => o.sigma)).toEqual(Array(7).fill(0.5));
  });

  it('respects the rate limit on ln σ', () => {
    const outs = drive(
      [...Array(40).fill(0), ...Array(40).fill(5)],
      { maxRate: 0.1, ki: 5 },
      createPidController().init(0.5),
    );
    let prev = Math.log(0.5);
    for (const o of outs) {
      expect(Math.abs(Math.log(o.sigma) - prev)).toBeLessThanOrEqual(0.1 + 1e-12);
      prev = Math.log(o.sigma);
    }
    expect(outs[39]!.sigma).toBeCloseTo(Math.min(10, 0.5 * Math.exp(4)), 9);
  });

  it('anti-windup: after a long saturation at sigmaMax, σ comes down at once', () => {
    const outs = drive([...Array(1000).fill(0), ...Array(10).fill(1)], { maxRate: 10 });
    expect(outs[999]!.sigma).toBeCloseTo(10, 9);
    expect(outs[999]!.terms.i).toBeLessThanOrEqual(Math.log(10) + 1e-12);
    expect(outs[1000]!.sigma).toBeLessThan(10);
    expect(outs[1009]!.sigma).toBeLessThan(1);
  });

  it('anti-windup: the integral does not wind while the rate limit binds', () => {
    const outs = drive(
      [...Array(10).fill(0), 0.35],
      { maxRate: 0.05, kp: 0, deadband: 0 },
      createPidController().init(0.5),
    );
    // Had the integral run ahead of the limited output, it would keep pushing σ up at e = 0.
    expect(outs[10]!.sigma).toBeCloseTo(outs[9]!.sigma, 12);
  });

  it('bumpless band change: σ does not jump at the switch, then moves towards the new band', () => {
    const lowBand = { lo: 0.1, hi: 0.2 };
    const bands = [...Array(5).fill(band), ...Array(20).fill(lowBand)];
    const outs = drive(Array(25).fill(0.33), { kp: 1 }, createPidController().init(0.5), bands);
    expect(outs[5]!.sigma).toBe(outs[4]!.sigma);
    expect(outs[24]!.sigma).toBeLessThan(outs[5]!.sigma * 0.8);
    expect(Math.abs(Math.log(outs[6]!.sigma / outs[5]!.sigma))).toBeLessThanOrEqual(
      DEFAULT_PID_OPTIONS.maxRate + 1e-12,
    );
  });

  it('bumpless gain change: a controller with new gains continues the old state without a jump', () => {
    const before = drive([0.31, 0.31, 0.31], { kp: 0.05 }, createPidController().init(0.5));
    const after = drive([0.31, 0.31], { kp: 2 }, before[2]!.state);
    expect(after[0]!.sigma).toBe(before[2]!.sigma);
    expect(after[0]!.terms.p).toBeCloseTo(2 * (0.4 - DEFAULT_PID_OPTIONS.deadband), 12);
    expect(after[1]!.sigma).toBeGreaterThan(after[0]!.sigma);
  });

  it('takes the derivative on the measurement: no kick on a band change, brakes a falling loss', () => {
    const bands = [band, band, { lo: 0.5, hi: 0.6 }, { lo: 0.5, hi: 0.6 }];
    const flat = drive([0.35, 0.35, 0.35, 0.35], { kp: 0, ki: 0, kd: 1 }, undefined, bands);
    expect(flat.map((o) => o.terms.d)).toEqual([0, 0, 0, 0]);
    const falling = drive([0.5, 0.4], { kp: 0, ki: 0, kd: 1, derivativeFilter: 0.5 });
    // slope = 0.5 · (−0.1) = −0.05 per epoch; d = −kd · slope / width = +0.5
    expect(falling[1]!.terms.d).toBeCloseTo(0.5, 12);
  });

  it('holds σ and its state on a non-finite measurement', () => {
    const [first] = drive([0.2], {}, createPidController().init(0.5));
    const held = createPidController().step(first!.state, { measurement: NaN, raw: NaN, band, dt: 1 });
    expect(held.sigma).toBe(first!.sigma);
    expect(held.state).toBe(first!.state);
  });

  it('keeps plain-JSON state: a restored checkpoint continues identically', () => {
    const outs = drive([0.25, 0.27, 0.29]);
    const restored = JSON.parse(JSON.stringify(outs[2]!.state)) as PidState;
    expect(drive([0.31, 0.2], {}, restored).map((o) => o.sigma)).toEqual(
      drive([0.31, 0.2], {}, outs[2]!.state).map((o) => o.sigma),
    );
  });

  it('rejects bad options, naming the field and value', () => {
    expect(() => createPidController({ kp: -1 })).toThrow(/kp: -1/);
    expect(() => createPidController({ sigmaMin: 0 })).toThrow(/sigmaMin 0/);
    expect(() =>
      createPidController().step(createPidController().init(1), {
        measurement: 1,
        raw: 1,
        band: { lo: 1, hi: 1 },
        dt: 1,
      }),
    ).toThrow(/band/);
  });
});
