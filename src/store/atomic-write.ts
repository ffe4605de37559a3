import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** The temp file a write goes through: same directory, so the rename is atomic. */
function tempOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
}

/**
 * Flags for a temp file: created fresh, never through a symlink planted at its name (the name
 * is removed first; `O_EXCL` then refuses anything that reappears, `O_NOFOLLOW` any link).
 */
const CREATE_NEW = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/**
 * Writes a file so that readers and crashes only ever see the old or the new content:
 * write a temp file in the same directory, fsync it, rename over the target, fsync the dir.
 * A failed write removes its temp file and leaves the target as it was.
 *
 * @example
 * writeFileAtomic('runs/a/summary.json', JSON.stringify(summary));
 */
export function writeFileAtomic(file: string, data: string): void {
  const tmp = tempOf(file);
  try {
    fs.rmSync(tmp, { force: true });
    const fd = fs.openSync(tmp, CREATE_NEW, 0o644);
    try {
      fs.writeSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Directory fsync is best effort (not supported on every filesystem).
  }
}

/** {@link writeFileAtomic} without blocking the event loop (the same steps on the thread pool). */
export async function writeFileAtomicAsync(file: string, data: string): Promise<void> {
  const tmp = tempOf(file);
  try {
    await fsp.rm(tmp, { force: true });
    const handle = await fsp.open(tmp, CREATE_NEW, 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  try {
    const dir = await fsp.open(path.dirname(file), 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // Directory fsync is best effort (not supported on every filesystem).
  }
}
