import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readUserFile } from '../../src/config/read-user-file.js';
import { UserError } from '../../src/core/user-error.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-read-user-file-'));

describe('readUserFile', () => {
  it('returns the text of a regular file', () => {
    const file = path.join(dir, 'a.yaml');
    fs.writeFileSync(file, 'epochs: 3\n');
    expect(readUserFile(file, 'config')).toBe('epochs: 3\n');
  });

  it('takes a file of exactly 1 MiB and refuses one byte more, naming what it is', () => {
    const exact = path.join(dir, 'exact.yaml');
    fs.writeFileSync(exact, 'x'.repeat(1 << 20));
    expect(readUserFile(exact, 'config')).toHaveLength(1 << 20);
    const big = path.join(dir, 'big.yaml');
    fs.writeFileSync(big, 'x'.repeat((1 << 20) + 1));
    expect(() => readUserFile(big, 'sweep file')).toThrow(new UserError(`${big}: sweep file larger than 1 MiB`));
    expect(() => readUserFile(big, 'config')).toThrow(new UserError(`${big}: config larger than 1 MiB`));
  });

  it('refuses a directory and a missing file in one line', () => {
    expect(() => readUserFile(dir, 'config')).toThrow(new UserError(`${dir}: not a regular file`));
    const none = path.join(dir, 'none.yaml');
    expect(() => readUserFile(none, 'config')).toThrow(new UserError(`${none}: cannot read config (ENOENT)`));
    expect(() => readUserFile(none, 'sweep file')).toThrow(new UserError(`${none}: cannot read sweep file (ENOENT)`));
  });
});
