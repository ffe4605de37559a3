import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load-config-file.js';

function write(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-config-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('loadConfigFile', () => {
  it('reads YAML with nested sections', () => {
    const file = write(
      'a.yaml',
      'epochs: 300\nband: {lo: 0.2, hi: 0.3}\nmodel:\n  hidden: [16, 8]\n  learningRate: 0.005\nnoise:\n  draws: auto\n',
    );
    expect(loadConfigFile(file)).toEqual({
      epochs: 300,
      band: { lo: 0.2, hi: 0.3 },
      model: { hidden: [16, 8], learningRate: 0.005 },
      noise: { draws: 'auto' },
    });
  });

  it('reads JSON', () => {
    const file = write('a.json', '{"controller": {"type": "hysteresis"}, "seed": "abc"}');
    expect(loadConfigFile(file)).toEqual({ controller: { type: 'hysteresis' }, seed: 'abc' });
  });

  it('names file:line:column and the key of a bad value', () => {
    const file = write('bad.yaml', 'epochs: 10\nmodel:\n  hidden: [10]\n  learningRate: -1\n');
    expect(() => loadConfigFile(file)).toThrow(new RegExp(`^${file}:4:17: model\\.learningRate: .*`));
  });

  it('names an unknown key', () => {
    const file = write('bad.yaml', 'epochs: 10\nmodel:\n  lerningRate: 0.1\n');
    expect(() => loadConfigFile(file)).toThrow(/bad\.yaml:3:\d+: model\.lerningRate: unknown key/);
  });

  it('rejects an inverted band and a wrong type', () => {
    expect(() => loadConfigFile(write('b.yaml', 'band: {lo: 0.5, hi: 0.4}\n'))).toThrow(
      /b\.yaml:1:\d+: band\.lo: lo must be less than hi/,
    );
    expect(() => loadConfigFile(write('c.yaml', 'epochs: "many"\n'))).toThrow(/c\.yaml:1:9: epochs: .*number/);
  });

  it('reports YAML syntax errors and duplicate keys with their position', () => {
    expect(() => loadConfigFile(write('d.yaml', 'epochs: 1\nepochs: 2\n'))).toThrow(/d\.yaml:2:1: .*unique/i);
    expect(() => loadConfigFile(write('e.json', '{"epochs": 1,,}'))).toThrow(/e\.json:1:\d+: /);
  });

  it('names a missing file without a stack', () => {
    expect(() => loadConfigFile('/nonexistent/x.yaml')).toThrow('/nonexistent/x.yaml: cannot read config (ENOENT)');
  });

  it('treats prototype keys as unknown keys', () => {
    expect(() => loadConfigFile(write('p.json', '{"__proto__": {"epochs": 1}}'))).toThrow(/unknown key|expected/);
  });
});
