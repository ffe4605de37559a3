import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileError, readUserFile } from '../../src/data/read-user-file.js';
import { UserError } from '../../src/core/user-error.js';

const dir = mkdtempSync(join(tmpdir(), 'lossband-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errno = (code: string): Error => Object.assign(new Error(`${code}: boom`), { code });

describe('readUserFile', () => {
  it('reads UTF-8 and drops a BOM', () => {
    const path = join(dir, 'bom.txt');
    writeFileSync(path, '\ufeffhé');
    expect(readUserFile(path)).toBe('hé');
  });

  it('names the path of a missing file', () => {
    const path = join(dir, 'missing.txt');
    expect(() => readUserFile(path)).toThrow(`${path}: no such file`);
  });
});

describe('fileError', () => {
  it.each([
    ['ENOENT', 'x.csv: no such file'],
    ['EISDIR', 'x.csv: is a directory, expected a file'],
    ['EACCES', 'x.csv: permission denied'],
    ['EPERM', 'x.csv: permission denied'],
    ['ENOTDIR', 'x.csv: a parent of this path is not a directory'],
    ['EIO', 'x.csv: cannot access (EIO)'],
  ])('maps %s to a one-line UserError', (code, message) => {
    const err = fileError('x.csv', errno(code));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(message);
    expect(err.exitCode).toBe(2);
  });
});
