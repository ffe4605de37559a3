import { describe, expect, it } from 'vitest';
import { RUN_NAME_PATTERN, configSchema } from '../../src/config/schema.js';
import { expandSweep } from '../../src/sweep/expand-sweep.js';
import { loadSweepFile } from '../../src/sweep/load-sweep-file.js';
import { parseSweep } from '../../src/sweep/parse-sweep.js';
import { MAX_SWEEP_POINTS } from '../../src/sweep/sweep-file.js';
import { UserError } from '../../src/core/user-error.js';

const expand = (text: string, file = 's.yaml') => expandSweep(parseSweep(text, file));

function errorOf(text: string): string {
  try {
    expand(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expandSweep accepted the sweep');
}

describe('expandSweep on examples/sweep.yaml', () => {
  const points = expandSweep(loadSweepFile('examples/sweep.yaml'));

  it('has 8 points of 2000 epochs on bundled Iris', () => {
    expect(points).toHaveLength(8);
    for (const p of points) expect(p.config).toMatchObject({ epochs: 2000, data: { path: 'iris' } });
  });

  it('numbers the points 0..7 in cartesian order, first key slowest', () => {
    expect(points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const row = (p: (typeof points)[number]) => [
      (p.params.band as { lo: number }).lo,
      p.params['controller.type'],
      p.params.seed,
    ];
    expect(points.map(row)).toEqual([
      [0.3, 'pid', 1],
      [0.3, 'pid', 2],
      [0.3, 'hysteresis', 1],
      [0.3, 'hysteresis', 2],
      [0.2, 'pid', 1],
      [0.2, 'pid', 2],
      [0.2, 'hysteresis', 1],
      [0.2, 'hysteresis', 2],
    ]);
  });

  it('gives every point a unique valid run name that carries its parameters', () => {
    const names = points.map((p) => p.name);
    expect(new Set(names).size).toBe(8);
    for (const n of names) expect(n).toMatch(RUN_NAME_PATTERN);
    expect(names[5]).toBe('iris-bands-5-lo0.2-hi0.3_pid_seed2');
    for (const p of points) expect(p.config.name).toBe(p.name);
  });

  it('sets the dotted keys into the base config, and each config validates', () => {
    expect(points[6]?.config).toEqual({
      name: 'iris-bands-6-lo0.2-hi0.3_hysteresis_seed1',
      preset: 'default',
      epochs: 2000,
      data: { path: 'iris' },
      checkpointEvery: 100,
      band: { lo: 0.2, hi: 0.3 },
      controller: { type: 'hysteresis' },
      seed: 1,
    });
    for (const p of points) expect(configSchema.safeParse(p.config).success).toBe(true);
  });

  it('is stable: expanding again, or from the same text under another path, gives the same points', () => {
    const again = expandSweep(loadSweepFile('examples/sweep.yaml'));
    expect(again).toEqual(points);
    const text = loadSweepFile('examples/sweep.yaml').text;
    expect(expandSweep(parseSweep(text, '/config/sweep.yaml'))).toEqual(points);
  });
});

describe('expandSweep', () => {
  it('gives one point, the base, when there is nothing to sweep', () => {
    const points = expand('base: {epochs: 5}\n', 'solo.yaml');
    expect(points).toEqual([{ index: 0, name: 'solo-0', params: {}, config: { epochs: 5, name: 'solo-0' } }]);
  });

  it('does not share objects between points or with the base', () => {
    const sweep = parseSweep(
      'base: {model: {hidden: [4]}}\ngrid:\n  model.learningRate: [0.1, 0.2]\n  band: [{lo: 0.1, hi: 0.2}]\n',
      's.yaml',
    );
    const [a, b] = expandSweep(sweep);
    expect(a?.config.model).toEqual({ hidden: [4], learningRate: 0.1 });
    expect(b?.config.model).toEqual({ hidden: [4], learningRate: 0.2 });
    expect(a?.config.model).not.toBe(b?.config.model);
    expect(a?.config.band).not.toBe(b?.config.band);
    expect(sweep.spec.base).toEqual({ model: { hidden: [4] } });
  });

  it('replaces a whole swept section and creates missing ones', () => {
    const points = expand(
      'base: {data: {path: iris, testFraction: 0.3}}\ngrid:\n  data: [{path: wine}]\n  controller.kp: [0.5]\n',
    );
    expect(points[0]?.config.data).toEqual({ path: 'wine' });
    expect(points[0]?.config.controller).toEqual({ kp: 0.5 });
  });

  it('crosses every grid combination with the same seeded random picks', () => {
    const text =
      'grid:\n  seed: [1, 2]\nrandom:\n  count: 3\n  seed: 11\n  choices:\n    model.learningRate: [0.1, 0.03, 0.01, 0.003]\n    model.hidden: [[4], [8], [16]]\n';
    const points = expand(text);
    expect(points).toHaveLength(6);
    expect(points.map((p) => p.params.seed)).toEqual([1, 1, 1, 2, 2, 2]);
    const picks = (seed: number) =>
      points
        .filter((p) => p.params.seed === seed)
        .map((p) => [p.params['model.learningRate'], p.params['model.hidden']]);
    expect(picks(1)).toEqual(picks(2));
    expect(new Set(picks(1).map((p) => JSON.stringify(p))).size).toBe(3);
    expect(Object.keys(points[0]?.params ?? {})).toEqual(['seed', 'model.learningRate', 'model.hidden']);
    expect(expand(text)).toEqual(points);
    const reseeded = expand(text.replace('seed: 11', 'seed: 12'));
    expect(reseeded.map((p) => p.params)).not.toEqual(points.map((p) => p.params));
  });

  it('names file:line:column of the bad value, the point and the key when a point is invalid', () => {
    const text = 'grid:\n  seed: [1, 2]\n  model.learningRate: [0.1, -1]\n';
    expect(errorOf(text)).toBe(
      's.yaml:3:29: point 1 (s-1-seed1_learningRate-1): model.learningRate: Too small: expected number to be >0',
    );
  });

  it('points inside a swept object value', () => {
    const text = 'grid:\n  band:\n    - {lo: 0.1, hi: 0.2}\n    - {lo: 0.5, hi: 0.4}\n';
    expect(errorOf(text)).toMatch(/^s\.yaml:4:12: point 1 \(s-1-lo0\.5-hi0\.4\): band\.lo: lo must be less than hi$/);
  });

  it('points into base when the bad key is not swept', () => {
    expect(errorOf('base:\n  noise: {min: 20}\ngrid:\n  seed: [1]\n')).toMatch(
      /^s\.yaml:2:16: point 0 \(s-0-seed1\): noise\.min: must be less than noise\.max/,
    );
  });

  it('checks cross-key constraints of swept values and points at the swept value', () => {
    const text =
      'base:\n  model: {hidden: [3]}\ngrid:\n  model.hidden: [[4]]\n  data.split: [seed]\n  data.path: [iris, wine]\n';
    expect(errorOf(text)).toMatch(
      /^s\.yaml:5:16: point 1 \(s-1-hidden4_seed_wine\): data\.split: "seed" is the seed program's Iris split/,
    );
    expect(errorOf('grid:\n  noise.max: [20, 0.05]\n')).toBe(
      's.yaml:2:19: point 1 (s-1-max0.05): noise.min: must be less than noise.max (0.1 >= 0.05)',
    );
  });

  it('rejects more random picks than distinct combinations', () => {
    expect(errorOf('random:\n  count: 3\n  choices:\n    seed: [1, 2]\n')).toBe(
      's.yaml:2:10: random.count: 3 exceeds the 2 distinct combinations of random.choices',
    );
  });

  it(`rejects a sweep of more than ${MAX_SWEEP_POINTS} points before building any`, () => {
    const values = `[${Array.from({ length: 101 }, (_, i) => i + 1).join(', ')}]`;
    expect(errorOf(`grid:\n  seed: ${values}\n  epochs: ${values}\n`)).toBe(
      `s.yaml:2:3: grid: 10201 points; at most ${MAX_SWEEP_POINTS}`,
    );
    expect(errorOf(`grid:\n  seed: ${values}\nrandom:\n  count: 100\n  choices:\n    epochs: ${values}\n`)).toMatch(
      /^s\.yaml:4:10: random\.count: the sweep would have 10100 points/,
    );
  });
});
