import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../core/user-error.js';
import { isFatalStoreError, STORE_FAILURE_EXIT_CODE } from './store-failure.js';

/** Who holds a run directory. Plain JSON, the content of its lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** Unix ms when the lock was taken. */
  readonly since: number;
}

/** A held lock; `release` is idempotent and never throws. */
export interface RunLock {
  readonly file: string;
  release(): void;
}

/** Options of {@link acquireRunLock}. */
export interface RunLockOptions {
  /** Whether a process id is alive on this host. Defaults to `process.kill(pid, 0)`. */
  readonly alive?: (pid: number) => boolean;
  /** This host's name. Defaults to `os.hostname()`. */
  readonly host?: string;
  /** This process's id. Defaults to `process.pid`. */
  readonly pid?: number;
}

const LOCK_FILE = '.lossband.lock';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes this process the only writer of run directory `dir`: an exclusively created lock file
 * (`O_CREAT | O_EXCL`, never following a symlink) holding the pid, host and start time. A second
 * writer gets a one-line `UserError` (exit 2) naming the holder. A lock left by a crashed process
 * on this host (its pid is gone) is taken over; a lock from another host is never guessed stale:
 * the message says which file to remove once that host's process is known to be gone.
 *
 * Why not an mtime-refreshed lock (proper-lockfile): a refresh timer cannot fire while a
 * multi-second epoch holds the main thread, so a live run would look stale and lose its lock.
 *
 * @example
 * const lock = acquireRunLock('runs/a');
 * try { … } finally { lock.release(); }
 */
export function acquireRunLock(dir: string, options: RunLockOptions = {}): RunLock {
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: options.pid ?? process.pid, host: options.host ?? os.hostname(), since: Date.now() };
  const alive = options.alive ?? pidAlive;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(
        file,
        fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
        0o644,
      );
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        // A read-only or full disk is not bad input: it gets the exit code of a failed store.
        throw new UserError(
          `${dir}: cannot lock the run directory (${code ?? 'error'})`,
          isFatalStoreError(err) ? STORE_FAILURE_EXIT_CODE : 2,
        );
      }
      const holder = readHolder(file);
      if (holder && holder.host === me.host && holder.pid === me.pid) {
        throw new UserError(`${dir}: this process already writes this run`);
      }
      if (holder && holder.host === me.host && !alive(holder.pid)) {
        // Stale: its writer crashed. Remove it and try again (another racer may win; then we refuse).
        fs.rmSync(file, { force: true });
        continue;
      }
      const who = holder
        ? `pid ${holder.pid} on ${holder.host} since ${new Date(holder.since).toISOString()}`
        : 'an unreadable lock';
      const hint = holder && holder.host !== me.host ? `; if that process is gone, remove ${file}` : '';
      throw new UserError(`${dir}: another lossband process is writing this run (${who})${hint}`);
    }
    try {
      fs.writeFileSync(fd, JSON.stringify(me) + '\n');
      fs.fsyncSync(fd);
    } catch (err) {
      fs.rmSync(file, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(
        `${dir}: cannot lock the run directory (${code ?? 'error'})`,
        isFatalStoreError(err) ? STORE_FAILURE_EXIT_CODE : 2,
      );
    } finally {
      fs.closeSync(fd);
    }
    let released = false;
    return {
      file,
      release: () => {
        if (released) return;
        released = true;
        try {
          const holder = readHolder(file);
          if (holder && holder.pid === me.pid && holder.host === me.host) fs.rmSync(file, { force: true });
        } catch {
          // The directory may be gone; nothing to release then.
        }
      },
    };
  }
  throw new UserError(`${dir}: cannot lock the run directory (it keeps changing hands)`);
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof json.pid === 'number' && typeof json.host === 'string' && typeof json.since === 'number')
      return json as LockHolder;
  } catch {
    // torn or foreign: treated as held by someone unknown
  }
  return undefined;
}
