import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireRunLock } from '../../src/store/run-lock.js';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-lock-'));

describe('acquireRunLock', () => {
  it('gives the directory to one writer and names the holder to the next', () => {
    const dir = tmp();
    const first = acquireRunLock(dir, { pid: 111, host: 'h', alive: () => true });
    expect(() => acquireRunLock(dir, { pid: 222, host: 'h', alive: () => true })).toThrow(
      /another lossband process is writing this run \(pid 111 on h since /,
    );
    first.release();
    const second = acquireRunLock(dir, { pid: 222, host: 'h', alive: () => true });
    second.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('takes over the lock of a crashed writer on this host', () => {
    const dir = tmp();
    acquireRunLock(dir, { pid: 111, host: 'h' }); // never released: the process "crashed"
    const taken = acquireRunLock(dir, { pid: 222, host: 'h', alive: (pid) => pid !== 111 });
    expect(JSON.parse(fs.readFileSync(taken.file, 'utf8'))).toMatchObject({ pid: 222, host: 'h' });
  });

  it('never guesses that another host’s lock is stale, and says which file to remove', () => {
    const dir = tmp();
    acquireRunLock(dir, { pid: 111, host: 'other', alive: () => false });
    expect(() => acquireRunLock(dir, { pid: 222, host: 'h', alive: () => false })).toThrow(
      /pid 111 on other .*; if that process is gone, remove .*\.lossband\.lock/,
    );
  });

  it('does not follow a symlink planted at the lock name', () => {
    const dir = tmp();
    const victim = path.join(tmp(), 'victim.txt');
    fs.writeFileSync(victim, 'keep me');
    fs.symlinkSync(victim, path.join(dir, '.lossband.lock'));
    expect(() => acquireRunLock(dir, { pid: 1, host: 'h', alive: () => true })).toThrow(
      /another lossband process|cannot lock/,
    );
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
  });

  it('releases only its own lock', () => {
    const dir = tmp();
    const a = acquireRunLock(dir, { pid: 111, host: 'h' });
    const b = acquireRunLock(dir, { pid: 222, host: 'h', alive: (pid) => pid !== 111 }); // took over a's "stale" lock
    a.release();
    expect(fs.existsSync(b.file)).toBe(true);
    b.release();
    expect(fs.existsSync(b.file)).toBe(false);
  });
});
