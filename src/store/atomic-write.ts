import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a file so that readers and crashes only ever see the old or the new content:
 * write a temp file in the same directory, fsync it, rename over the target, fsync the dir.
 *
 * @example
 * writeFileAtomic('runs/a/summary.json', JSON.stringify(summary));
 */
export function writeFileAtomic(file: string, data: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Directory fsync is best effort (not supported on every filesystem).
  }
}
