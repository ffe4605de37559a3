import fs from 'node:fs';
import path from 'node:path';

/** The live segment of a run's history: the newest events, plain JSON lines. */
export const EVENTS_FILE = 'events.jsonl';

/** A closed segment: `events-000001.jsonl.gz`, or `events-000001.jsonl` until it is compressed. */
const SEGMENT = /^events-(\d{6,})\.jsonl(\.gz)?$/;

/** One file of a run's history, in the order the events were written. */
export interface EventFile {
  /** Path of the file. */
  readonly file: string;
  /** Segment number; the live `events.jsonl` has none. */
  readonly segment: number | undefined;
  /** Whether the file is gzip-compressed. */
  readonly gzip: boolean;
}

/** File name of closed segment `n`: `events-000001.jsonl.gz` (or without `.gz` before compression). */
export function segmentName(n: number, gzip: boolean): string {
  return `events-${String(n).padStart(6, '0')}.jsonl${gzip ? '.gz' : ''}`;
}

/**
 * The files that hold a run's history, oldest first: the closed segments in number order, then
 * the live `events.jsonl` (when it exists). A segment present both compressed and plain (a crash
 * between the rename of the `.gz` and the removal of the plain file) is listed once, as the
 * `.gz`, which is complete because it was renamed into place after an fsync.
 *
 * @example
 * listEventFiles('runs/a').map((f) => path.basename(f.file));
 * // ['events-000001.jsonl.gz', 'events-000002.jsonl.gz', 'events.jsonl']
 */
export function listEventFiles(dir: string): EventFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
  const segments = new Map<number, EventFile>();
  let live: EventFile | undefined;
  for (const name of names) {
    if (name === EVENTS_FILE) {
      live = { file: path.join(dir, name), segment: undefined, gzip: false };
      continue;
    }
    const m = SEGMENT.exec(name);
    if (m === null) continue;
    const n = Number(m[1]);
    const gzip = m[2] !== undefined;
    if (!gzip && segments.get(n)?.gzip) continue;
    segments.set(n, { file: path.join(dir, name), segment: n, gzip });
  }
  const ordered = [...segments.values()].sort((a, b) => (a.segment as number) - (b.segment as number));
  return live ? [...ordered, live] : ordered;
}

/** Whether `dir` holds any recorded event (a non-empty history file). */
export function hasEventHistory(dir: string): boolean {
  return listEventFiles(dir).some((f) => {
    try {
      return fs.statSync(f.file).size > 0;
    } catch {
      return false;
    }
  });
}

/** Plain segments whose `.gz` is complete: leftovers of a compression interrupted before its cleanup. */
export function plainLeftovers(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const present = new Set(names);
  return names
    .filter((n) => SEGMENT.exec(n)?.[2] === undefined && SEGMENT.test(n) && present.has(`${n}.gz`))
    .map((n) => path.join(dir, n));
}
