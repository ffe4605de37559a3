import { describe, expect, it } from 'vitest';
import { setDotted } from '../../src/sweep/set-dotted.js';

describe('setDotted', () => {
  it('sets a top-level key and a nested one, creating sections', () => {
    const config: Record<string, unknown> = { model: { hidden: [10] } };
    setDotted(config, 'seed', 3);
    setDotted(config, 'model.learningRate', 0.01);
    setDotted(config, 'controller.type', 'pid');
    expect(config).toEqual({ seed: 3, model: { hidden: [10], learningRate: 0.01 }, controller: { type: 'pid' } });
  });

  it('replaces a whole value, including a section', () => {
    const config: Record<string, unknown> = { band: { lo: 0.1, hi: 0.2 }, data: { path: 'iris', testFraction: 0.3 } };
    setDotted(config, 'band', { lo: 0.3, hi: 0.4 });
    setDotted(config, 'data', { path: 'wine' });
    expect(config).toEqual({ band: { lo: 0.3, hi: 0.4 }, data: { path: 'wine' } });
  });

  it('replaces a non-object on the way instead of writing into it', () => {
    const config: Record<string, unknown> = { model: [1, 2] };
    setDotted(config, 'model.learningRate', 0.1);
    expect(config).toEqual({ model: { learningRate: 0.1 } });
  });
});
