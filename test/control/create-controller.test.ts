import { describe, expect, it } from 'vitest';
import { CONTROLLER_TYPES, createController, type ControllerConfig } from '../../src/control/create-controller.js';

describe('createController', () => {
  it.each(CONTROLLER_TYPES)('builds a %s controller', (type) => {
    expect(createController({ type } as ControllerConfig).type).toBe(type);
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
