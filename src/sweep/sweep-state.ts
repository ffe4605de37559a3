import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/user-error.js';
import { writeFileAtomic } from '../store/atomic-write.js';

/** Where a point of a sweep stands. `failed`: its run threw (bad data, a lost thread); the message is kept. */
export type PointState = 'pending' | 'running' | 'finished' | 'stopped' | 'diverged' | 'failed';

/** One point in `sweep-state.json`. */
export interface PointRecord {
  readonly index: number;
  readonly name: string;
  readonly state: PointState;
  /** Why it failed (one line), for `failed`. */
  readonly error?: string | undefined;
}

/**
 * `sweep-state.json`: the sweep directory's own record beside the copy of its sweep file
 * (`sweep.yaml`). The run directories stay the truth about each run (`--resume` reads their
 * `summary.json` and checkpoints); this file marks the directory as a sweep and keeps what no
 * run directory can: which points failed and why.
 */
export interface SweepStateFile {
  readonly version: 1;
  readonly sweep: string;
  /** The sweep file as the user named it when the sweep started. */
  readonly source: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Sessions so far: 1, then one more per `--resume`. */
  readonly sessions: number;
  readonly points: readonly PointRecord[];
}

/** Files of a sweep directory. */
export function sweepPaths(dir: string) {
  return {
    dir,
    file: path.join(dir, 'sweep.yaml'),
    state: path.join(dir, 'sweep-state.json'),
    csv: path.join(dir, 'sweep.csv'),
    json: path.join(dir, 'sweep.json'),
    svg: path.join(dir, 'sweep.svg'),
  };
}

/** Reads `dir/sweep-state.json`; a missing or damaged one is a one-line `UserError` naming the flag. */
export function readSweepState(dir: string): SweepStateFile {
  const file = sweepPaths(dir).state;
  let json: Partial<SweepStateFile>;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SweepStateFile>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`--resume ${dir}: not a sweep directory (no sweep-state.json)`);
    throw new UserError(`${file}: damaged sweep state (${code ?? 'not valid JSON'})`);
  }
  if (json.version !== 1 || !Array.isArray(json.points) || typeof json.sessions !== 'number') {
    throw new UserError(`${file}: damaged sweep state (needs version 1, sessions and points)`);
  }
  return json as SweepStateFile;
}

/** Writes `dir/sweep-state.json` atomically. */
export function writeSweepState(dir: string, state: SweepStateFile): void {
  writeFileAtomic(sweepPaths(dir).state, JSON.stringify(state, null, 2) + '\n');
}
