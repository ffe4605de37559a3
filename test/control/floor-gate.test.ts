import { describe, expect, it } from 'vitest';
import { CLOSED_FLOOR_GATE, stepFloorGate, type FloorGateState } from '../../src/control/floor-gate.js';

const feed = (losses: number[], atFloor = true, state: FloorGateState = CLOSED_FLOOR_GATE): FloorGateState =>
  losses.reduce((g, measurement) => stepFloorGate(g, { atFloor, measurement, hi: 0.05, dt: 1 }), state);

describe('stepFloorGate', () => {
  it('opens after one 25-epoch period in which the loss at the floor stays above the band without falling', () => {
    expect(feed(Array(24).fill(0.055)).open).toBe(false);
    expect(feed(Array(25).fill(0.055)).open).toBe(true);
  });

  it('stays closed during a descent on course to enter the band (first entries keep their timing)', () => {
    // 0.3 above the band, falling 0.01 per epoch: 0.25 per period, so about one more period.
    const descent = Array.from({ length: 30 }, (_, k) => 0.35 - 0.01 * k);
    expect(feed(descent).open).toBe(false);
  });

  it('opens when the descent is too slow to enter within 4 more periods', () => {
    // 0.1 above, falling 0.0005 per epoch: 0.0125 per period, 8 periods away.
    expect(feed(Array.from({ length: 25 }, (_, k) => 0.15 - 0.0005 * k)).open).toBe(true);
  });

  it('restarts the period whenever σ leaves the floor or the loss enters the band, and stays open once open', () => {
    const interrupted = feed([...Array(20).fill(0.055), 0.04, ...Array(20).fill(0.055)]);
    expect(interrupted.open).toBe(false);
    expect(feed(Array(20).fill(0.055), false).open).toBe(false);
    const open = feed(Array(25).fill(0.055));
    expect(feed([0.01], false, open).open).toBe(true);
  });
});
