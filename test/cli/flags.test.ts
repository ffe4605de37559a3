import { describe, expect, it } from 'vitest';
import { flagsToConfig } from '../../src/cli/flags.js';

describe('flagsToConfig', () => {
  it('maps flags onto config keys', () => {
    expect(
      flagsToConfig({
        epochs: '200',
        band: '0.3:0.4',
        hidden: '64,32',
        draws: 'auto',
        batchSize: 'full',
        standardize: false,
        seed: 'x1',
      }),
    ).toEqual({
      epochs: 200,
      seed: 'x1',
      band: { lo: 0.3, hi: 0.4 },
      model: { hidden: [64, 32], batchSize: null },
      noise: { draws: 'auto' },
      data: { standardize: false },
    });
  });

  it('maps --clean-every onto metrics.cleanEvery (0 allowed) and names the flag for a bad value', () => {
    expect(flagsToConfig({ cleanEvery: '10' })).toEqual({ metrics: { cleanEvery: 10 } });
    expect(flagsToConfig({ cleanEvery: '0' })).toEqual({ metrics: { cleanEvery: 0 } });
    expect(() => flagsToConfig({ cleanEvery: '-1' })).toThrow(/^--clean-every: /);
    expect(() => flagsToConfig({ cleanEvery: '2.5' })).toThrow(/^--clean-every: /);
  });

  it('maps --noise-scale onto noise.scale and names the flag for a bad value', () => {
    expect(flagsToConfig({ noiseScale: 'feature' })).toEqual({ noise: { scale: 'feature' } });
    expect(() => flagsToConfig({ noiseScale: 'relative' })).toThrow(/^--noise-scale: /);
  });

  it.each([
    [{ epochs: 'abc' }, '--epochs: not a number: "abc"'],
    [{ epochs: '-1' }, '--epochs: '],
    [{ epochs: '1.5' }, '--epochs: '],
    [{ learningRate: 'NaN' }, '--learning-rate: not a number'],
    [{ sigma: 'Infinity' }, '--sigma: not a number'],
    [{ band: '0.4' }, '--band: expected LO:HI'],
    [{ band: '0.4:0.3' }, '--band: lo must be less than hi'],
    [{ band: '-0.1:0.3' }, '--band: '],
    [{ controller: 'magic' }, '--controller: '],
    [{ port: '70000' }, '--port: '],
    [{ testFraction: '1' }, '--test-fraction: '],
    [{ hidden: '10,x' }, '--hidden: not a number'],
  ])('rejects %j naming the flag', (flags, message) => {
    expect(() => flagsToConfig(flags)).toThrow(message);
  });
});
