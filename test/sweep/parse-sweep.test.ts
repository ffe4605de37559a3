import { describe, expect, it } from 'vitest';
import { parseSweep } from '../../src/sweep/parse-sweep.js';
import { UserError } from '../../src/core/user-error.js';

/** The one-line message parseSweep throws for `text`. */
function errorOf(text: string, file = 's.yaml'): string {
  try {
    parseSweep(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('parseSweep accepted the text');
}

describe('parseSweep', () => {
  it('reads name, base, grid and random', () => {
    const sweep = parseSweep(
      'name: lr\nbase:\n  epochs: 50\ngrid:\n  controller.type: [pid, fixed]\nrandom:\n  count: 2\n  seed: 3\n  choices:\n    model.learningRate: [0.1, 0.01, 0.001]\n',
      'x.yaml',
    );
    expect(sweep.name).toBe('lr');
    expect(sweep.spec).toEqual({
      name: 'lr',
      base: { epochs: 50 },
      grid: { 'controller.type': ['pid', 'fixed'] },
      random: { count: 2, seed: 3, choices: { 'model.learningRate': [0.1, 0.01, 0.001] } },
    });
  });

  it('keeps the exact text (shipped as is, e.g. in a ConfigMap)', () => {
    const text = '\uFEFF# comment\ngrid: {seed: [1, 2]}\n';
    expect(parseSweep(text, 'x.yaml').text).toBe(text);
  });

  it('derives a valid sweep name from the file name when there is no name:', () => {
    expect(parseSweep('grid: {seed: [1]}\n', 'dir/my sweep!.yaml').name).toBe('my-sweep');
    expect(parseSweep('{}', '/a/b/iris.bands.json').name).toBe('iris.bands');
    expect(parseSweep('', '---.yaml').name).toBe('sweep');
    expect(parseSweep('', `${'x'.repeat(60)}.yaml`).name).toHaveLength(40);
    expect(parseSweep('', `${'x'.repeat(39)}--y.yaml`).name).toBe('x'.repeat(39));
  });

  it('names file:line:column and the key of a bad base value', () => {
    expect(errorOf('base:\n  model:\n    learningRate: -1\n')).toMatch(
      /^s\.yaml:3:19: base\.model\.learningRate: Too small/,
    );
    expect(errorOf('base:\n  epochz: 3\n')).toBe('s.yaml:2:11: base.epochz: unknown key');
  });

  it('rejects keys the sweep owns in base', () => {
    expect(errorOf('base:\n  name: foo\n')).toBe('s.yaml:2:9: base.name: set by the sweep, not allowed in base');
    expect(errorOf('base:\n  out: runs/x\n')).toMatch(/^s\.yaml:2:8: base\.out: set by the sweep/);
    expect(errorOf('base:\n  token: abcdefghijklmnopqrstuvwxyz\n')).toMatch(
      /^s\.yaml:2:10: base\.token: not allowed in a sweep file \(set LOSSBAND_TOKEN\)$/,
    );
  });

  it('names an unknown swept key where it is written', () => {
    expect(errorOf('grid:\n  seed: [1]\n  model.lerningRate: [0.1]\n')).toBe(
      's.yaml:3:22: grid.model.lerningRate: unknown config key',
    );
    expect(errorOf('random:\n  count: 1\n  choices:\n    band.lo.x: [1]\n')).toMatch(
      /^s\.yaml:4:16: random\.choices\.band\.lo\.x: unknown config key/,
    );
  });

  it('rejects a key that is not a dotted config key', () => {
    expect(errorOf('grid:\n  __proto__.x: [1]\n')).toMatch(/^s\.yaml:\d+:\d+: grid\.__proto__\.x: a dotted config key/);
    expect(errorOf('grid:\n  "model..hidden": [[1]]\n')).toMatch(/grid\.model\.\.hidden: a dotted config key/);
  });

  it('rejects keys that cannot vary per run', () => {
    expect(errorOf('grid:\n  server.port: [1, 2]\n')).toMatch(
      /^s\.yaml:2:16: grid\.server\.port: cannot vary across the runs of a sweep$/,
    );
    expect(errorOf('grid:\n  name: [a, b]\n')).toMatch(/grid\.name: cannot vary/);
    expect(errorOf('random:\n  count: 1\n  choices:\n    out: [a]\n')).toMatch(/random\.choices\.out: cannot vary/);
  });

  it('rejects overlapping keys, within and across grid and random', () => {
    expect(errorOf('grid:\n  model: [{hidden: [4]}]\n  model.hidden: [[8]]\n')).toMatch(
      /^s\.yaml:3:17: grid\.model\.hidden: overlaps grid\.model$/,
    );
    expect(
      errorOf('grid:\n  band.lo: [0.1]\nrandom:\n  count: 1\n  choices:\n    band: [{lo: 0.1, hi: 0.2}]\n'),
    ).toMatch(/random\.choices\.band: overlaps grid\.band\.lo$/);
    expect(errorOf('grid:\n  seed: [1]\nrandom:\n  count: 1\n  choices:\n    seed: [2]\n')).toMatch(
      /random\.choices\.seed: overlaps grid\.seed$/,
    );
  });

  it('requires a list with at least one value per key', () => {
    expect(errorOf('grid:\n  seed: []\n')).toMatch(/^s\.yaml:2:9: grid\.seed: .*at least one value/);
    expect(errorOf('grid:\n  seed: 3\n')).toMatch(/^s\.yaml:2:9: grid\.seed: .*expected array/);
  });

  it('validates the random section', () => {
    expect(errorOf('random:\n  count: 0\n  choices: {seed: [1]}\n')).toMatch(/^s\.yaml:2:10: random\.count: Too small/);
    expect(errorOf('random:\n  count: 1\n')).toMatch(/random\.choices: /);
    expect(errorOf('random:\n  count: 1\n  choices: {seed: [1]}\n  sed: 4\n')).toMatch(
      /^s\.yaml:4:8: random\.sed: unknown key$/,
    );
  });

  it('reports YAML syntax errors, duplicate keys and bad top-level keys with their position', () => {
    expect(errorOf('grid:\n  seed: [1\n')).toMatch(/^s\.yaml:\d+:\d+: /);
    expect(errorOf('grid: {}\ngrid: {}\n')).toMatch(/^s\.yaml:2:1: .*unique/i);
    expect(errorOf('name: x\ngrd: {}\n')).toBe('s.yaml:2:6: grd: unknown key');
    expect(errorOf('name: "a b"\n')).toMatch(/^s\.yaml:1:7: name: letters, digits/);
    expect(errorOf('name: ab-\n')).toMatch(/^s\.yaml:1:7: name: letters, digits.*ending with a letter or digit$/);
    expect(errorOf('- 1\n- 2\n')).toMatch(/^s\.yaml:1:1: \(top level\): .*expected object/);
  });
});
