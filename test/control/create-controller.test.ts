import { describe, expect, it } from 'vitest';
import type { Controller } from '../../src/control/controller.js';
import { CONTROLLER_TYPES, createController, type ControllerConfig } from '../../src/control/create-controller.js';
import { createFixedController } from '../../src/control/fixed.js';
import { createFloodingController } from '../../src/control/flooding.js';
import { createHysteresisController } from '../../src/control/hysteresis.js';
import { createPidController } from '../../src/control/pid.js';

const FACTORIES = {
  pid: createPidController,
  hysteresis: createHysteresisController,
  fixed: createFixedController,
  flooding: createFloodingController,
} as const;

/** σ sequence a controller produces over a loss trace that starts above a band, falls through it and below. */
function sigmas(controller: Controller): number[] {
  const band = { lo: 0.3, hi: 0.4 };
  let state = controller.init(0.5);
  const out: number[] = [];
  for (let t = 0; t < 60; t++) {
    const loss = Math.max(0.05, 1 - t * 0.02);
    const step = controller.step(state, { measurement: loss, raw: loss, band, dt: 1 });
    state = step.state;
    out.push(step.sigma);
  }
  return out;
}

describe('createController', () => {
  it.each(CONTROLLER_TYPES)('builds the %s controller itself: the same σ trace as its own factory', (type) => {
    const built = createController({ type } as ControllerConfig);
    expect(built.type).toBe(type);
    expect(sigmas(built)).toEqual(sigmas(FACTORIES[type]() as Controller));
  });

  it('builds four different controllers', () => {
    const traces = CONTROLLER_TYPES.map((type) =>
      JSON.stringify(sigmas(createController({ type } as ControllerConfig))),
    );
    expect(new Set(traces).size).toBe(CONTROLLER_TYPES.length);
  });

  it('passes the options through', () => {
    const fixed = createController({ type: 'fixed', sigma: 0.3 });
    expect(fixed.step(fixed.init(0.3), { measurement: 1, raw: 1, band: { lo: 0, hi: 1 }, dt: 1 }).sigma).toBe(0.3);
    expect(() => createController({ type: 'pid', ki: -1 })).toThrow(/ki: -1/);
  });

  it('rejects an unknown type, naming it', () => {
    expect(() => createController({ type: 'bangbang' } as unknown as ControllerConfig)).toThrow(/type: bangbang/);
  });
});
