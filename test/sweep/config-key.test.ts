import { describe, expect, it } from 'vitest';
import { configKeyProblem } from '../../src/sweep/config-key.js';

describe('configKeyProblem', () => {
  it('accepts keys and sections of the run config', () => {
    for (const key of [
      'band',
      'band.lo',
      'seed',
      'controller.type',
      'model.hidden',
      'model.learningRate',
      'data.path',
      'data',
      'noise.draws',
    ]) {
      expect(configKeyProblem(key), key).toBeUndefined();
    }
  });

  it('names unknown keys, keys below a leaf and prototype names', () => {
    expect(configKeyProblem('model.lerningRate')).toBe('unknown config key');
    expect(configKeyProblem('constructor')).toBe('unknown config key');
    expect(configKeyProblem('model.hasOwnProperty')).toBe('unknown config key');
    expect(configKeyProblem('seed.x')).toBe('unknown config key (its parent is not a section)');
    expect(configKeyProblem('model.hidden.length')).toBe('unknown config key (its parent is not a section)');
  });
});
