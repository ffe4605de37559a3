import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSweepFile } from '../../src/sweep/load-sweep-file.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-sweep-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('loadSweepFile', () => {
  it('reads the example sweep', () => {
    const sweep = loadSweepFile('examples/sweep.yaml');
    expect(sweep.name).toBe('iris-bands');
    expect(sweep.file).toBe('examples/sweep.yaml');
    expect(sweep.text).toBe(fs.readFileSync('examples/sweep.yaml', 'utf8'));
  });

  it('reads JSON and names errors by file:line:column', () => {
    const file = path.join(dir, 'a.json');
    fs.writeFileSync(file, '{\n  "grid": {"seed": [1, 2]},\n  "base": {"epochs": -1}\n}\n');
    expect(() => loadSweepFile(file)).toThrow(`${file}:3:22: base.epochs: Too small: expected number to be >=0`);
  });

  it('names a missing file, a directory and an oversized file without a stack', () => {
    expect(() => loadSweepFile(path.join(dir, 'none.yaml'))).toThrow(
      `${path.join(dir, 'none.yaml')}: cannot read sweep file (ENOENT)`,
    );
    expect(() => loadSweepFile(dir)).toThrow(`${dir}: not a regular file`);
    const big = path.join(dir, 'big.yaml');
    fs.writeFileSync(big, `# ${'x'.repeat(1 << 20)}\n`);
    expect(() => loadSweepFile(big)).toThrow(`${big}: sweep file larger than 1 MiB`);
  });
});
