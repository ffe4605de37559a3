import fs from 'node:fs';
import { UserError } from '../core/user-error.js';
import { compressionsSettled, truncateSegment } from './compress-segment.js';
import { listEventFiles, type EventFile } from './event-files.js';
import { readEventLines, type ReadEventLinesOptions } from './read-event-lines.js';
import { jsonObject } from '../core/json-object.js';

/** Options of {@link reconcileEvents}. */
export interface ReconcileOptions extends Pick<ReadEventLinesOptions, 'maxLineBytes' | 'chunkBytes'> {
  /** The run's `events.every`: epochs divisible by it must all be present. Defaults to 1 (every epoch). */
  readonly every?: number;
}

/** Where the history is cut: the first line that does not belong to the checkpoint's state. */
interface Cut {
  readonly fileIndex: number;
  readonly start: number;
}

/**
 * Makes a run's history (`events.jsonl` and its rotated segments, see `readEventLines`) hold
 * exactly the events of epochs 1..`epoch`, in order, once each — the state a checkpoint at
 * `epoch` belongs to. With `every` > 1 the history holds every epoch divisible by `every` plus
 * a few extra (non-finite, last before a stop), strictly increasing.
 *
 * Lines after `epoch` (written between that checkpoint and a crash, about to be re-trained) and
 * a torn last line of `events.jsonl` are cut off: the file is truncated (a segment rewritten)
 * at the first of them. Anything else that is wrong is refused with a one-line `UserError`
 * naming `file:line` and nothing is changed: a line that is not a JSON object with an integer
 * `epoch` (`null`, `{}`, `{"epoch":"51"}`), an epoch out of order or missing, or fewer epochs
 * than the checkpoint covers. The history is streamed: memory does not grow with its length.
 *
 * @example
 * await reconcileEvents('runs/a', 300); // → epochs 1..300
 */
export async function reconcileEvents(
  dir: string,
  epoch: number,
  options: ReconcileOptions = {},
): Promise<{ kept: number; dropped: number }> {
  const every = options.every ?? 1;
  await compressionsSettled(dir);
  const files = listEventFiles(dir);
  let kept = 0;
  let dropped = 0;
  let last = 0;
  let next = every; // the next epoch that must be present
  let cut: Cut | undefined;
  for await (const l of readEventLines(dir, { ...options, files })) {
    if (!l.terminated) {
      // The last line of the live file without its newline: torn by a crash, never whole.
      if (!l.live || l.fileIndex !== files.length - 1)
        throw new UserError(`${l.file}:${l.line}: torn line inside the history`);
      cut ??= { fileIndex: l.fileIndex, start: l.start };
      dropped += 1;
      continue;
    }
    if (l.text.trim() === '') throw new UserError(`${l.file}:${l.line}: empty line inside the history`);
    const e = epochOf(l.text);
    if (e === undefined)
      throw new UserError(`${l.file}:${l.line}: not an epoch event (needs a JSON object with an integer "epoch")`);
    if (e <= last) throw new UserError(`${l.file}:${l.line}: epoch ${e} out of order (after epoch ${last})`);
    last = e;
    if (e > epoch) {
      cut ??= { fileIndex: l.fileIndex, start: l.start };
      dropped += 1;
      continue;
    }
    if (e > next) throw new UserError(`${l.file}:${l.line}: epoch ${e} out of order (expected ${next})`);
    if (e === next) next += every;
    kept += 1;
  }
  if (next <= epoch) {
    const held = every === 1 ? `${kept} epochs` : `events up to epoch ${next - every}`;
    throw new UserError(`${dir}: the history holds ${held} but the checkpoint is at epoch ${epoch}`);
  }
  if (cut) await applyCut(files, cut);
  return { kept, dropped };
}

/** Cuts the history at `cut`, latest file first, so that a crash midway only ever drops lines past the cut. */
async function applyCut(files: readonly EventFile[], cut: Cut): Promise<void> {
  for (let i = files.length - 1; i > cut.fileIndex; i--) {
    const f = files[i] as EventFile;
    if (f.segment === undefined) fs.truncateSync(f.file, 0);
    else fs.rmSync(f.file, { force: true });
  }
  const at = files[cut.fileIndex] as EventFile;
  if (at.segment === undefined) fs.truncateSync(at.file, cut.start);
  // A cut at a segment's first line removes it: an empty segment would only be a hole in the numbering.
  else if (cut.start === 0) fs.rmSync(at.file, { force: true });
  else await truncateSegment(at.file, at.gzip, cut.start);
}

function epochOf(text: string): number | undefined {
  const e = jsonObject(text)?.epoch;
  return typeof e === 'number' && Number.isInteger(e) && e >= 1 ? e : undefined;
}
