import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataFile } from '../../src/data/read-data-file.js';
import { UserError } from '../../src/core/user-error.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-datafile-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
};

describe('readDataFile', () => {
  it('returns the text without its BOM, the absolute path and the SHA-256 of the bytes read', () => {
    const bytes = Buffer.from('\ufeffa,b\n1,café\n');
    const f = file('ok.csv', bytes);
    const { text, origin } = readDataFile(path.relative(process.cwd(), f));
    expect(text).toBe('a,b\n1,café\n');
    expect(origin).toEqual({ path: f, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
  });

  it('refuses devices, FIFOs and directories without reading from them', () => {
    expect(() => readDataFile('/dev/zero')).toThrow(
      new UserError('/dev/zero: is a character device, not a regular file; a data file must be a CSV file'),
    );
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readDataFile(fifo)).toThrow(`${fifo}: is a FIFO, not a regular file`);
    expect(() => readDataFile(dir)).toThrow(`${dir}: is a directory, expected a file`);
  });

  it('refuses a file over the limit up front, and names the limit', () => {
    const f = file('big.csv', 'x'.repeat(3000));
    expect(() => readDataFile(f, { maxBytes: 2048 })).toThrow(
      new UserError(`${f}: 2.9 KiB is over the 2.0 KiB limit for data files`),
    );
    expect(readDataFile(f, { maxBytes: 3000 }).text).toHaveLength(3000);
  });

  it('refuses bytes that are not UTF-8, naming line, column and byte', () => {
    const f = file(
      'latin1.csv',
      Buffer.concat([Buffer.from('a,kind\n1,tea\n2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    expect(() => readDataFile(f)).toThrow(
      new UserError(`${f}:3:6: not valid UTF-8 (byte 0xe9); save the file as UTF-8`),
    );
  });

  it('names a missing file in one line', () => {
    expect(() => readDataFile(path.join(dir, 'nope.csv'))).toThrow(`${path.join(dir, 'nope.csv')}: no such file`);
  });
});
