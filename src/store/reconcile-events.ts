import fs from 'node:fs';
import { UserError } from '../core/user-error.js';
import { writeFileAtomic } from './atomic-write.js';

/**
 * Makes `events.jsonl` hold exactly epochs 1..`epoch`, in order, once each — the state a
 * checkpoint at `epoch` belongs to. Lines after it (written between that checkpoint and a
 * crash, and about to be re-trained) and a torn last line are dropped; the file is rewritten
 * atomically. Events up to a checkpoint are always on disk: they are fsynced before it.
 *
 * @example
 * reconcileEvents('runs/a/events.jsonl', 300); // → 300 lines, epochs 1..300
 */
export function reconcileEvents(file: string, epoch: number): { kept: number; dropped: number } {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const lines = text.split('\n');
  const kept: string[] = [];
  let dropped = 0;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let parsed: { epoch?: unknown };
    try {
      parsed = JSON.parse(line) as { epoch?: unknown };
    } catch {
      if (i >= lines.length - 2) {
        dropped += 1; // a line torn by the crash
        continue;
      }
      throw new UserError(`${file}:${i + 1}: not a JSON event; refusing to rewrite the history`);
    }
    if (typeof parsed.epoch === 'number' && parsed.epoch <= epoch) {
      if (parsed.epoch !== kept.length + 1) {
        throw new UserError(`${file}:${i + 1}: epoch ${parsed.epoch} out of order (expected ${kept.length + 1})`);
      }
      kept.push(line);
    } else dropped += 1;
  }
  if (kept.length !== epoch) {
    throw new UserError(`${file}: holds ${kept.length} epochs but the checkpoint is at epoch ${epoch}`);
  }
  if (dropped > 0 || !text.endsWith('\n')) writeFileAtomic(file, kept.length ? kept.join('\n') + '\n' : '');
  return { kept: kept.length, dropped };
}
