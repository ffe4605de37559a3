import fs from 'node:fs';
import { z } from 'zod';
import type { BandStatistics } from '../control/band-statistics.js';
import type { LoopState } from '../control/closed-loop.js';
import type { PlantState } from '../engines/plant-state.js';
import type { EpochEvent } from '../core/epoch-event.js';
import { UserError } from '../core/user-error.js';
import { writeFileAtomic } from './atomic-write.js';

/** Everything a run needs to continue exactly where it was at the end of `epoch`. */
export interface Checkpoint {
  readonly version: 1;
  readonly run: string;
  /** Last finished epoch the state belongs to. */
  readonly epoch: number;
  /** Unix ms when it was written. */
  readonly savedAt: number;
  /** Learning rate in force (lower than configured after rollbacks). */
  readonly learningRate: number;
  /** Rollbacks after non-finite losses so far. */
  readonly rollbacks: number;
  readonly plant: PlantState;
  readonly loop: LoopState;
  readonly stats: BandStatistics;
  /** The event of `epoch`, so a resumed run's summary never loses its final figures. */
  readonly last?: EpochEvent | undefined;
}

const shape = z.object({
  version: z.literal(1),
  run: z.string(),
  epoch: z.number().int().min(0),
  savedAt: z.number(),
  learningRate: z.number().positive(),
  rollbacks: z.number().int().min(0),
  // The model's state is the plant's to check (built-in engines and user models differ).
  plant: z.object({}).loose(),
  loop: z.object({ actuation: z.object({ sigma: z.number(), draws: z.number() }).loose() }).loose(),
  stats: z.object({ epochs: z.number() }).loose(),
});

/**
 * Writes the checkpoint atomically (temp file, fsync, rename): a crash mid-write leaves the
 * previous checkpoint in place, never a torn one.
 *
 * @example
 * writeCheckpoint('runs/a/checkpoint.json', checkpoint);
 */
export function writeCheckpoint(file: string, checkpoint: Checkpoint): void {
  writeFileAtomic(file, JSON.stringify(checkpoint));
}

/** Reads a checkpoint, or undefined when there is none; a damaged one is a one-line UserError. */
export function readCheckpoint(file: string): Checkpoint | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`${file}: cannot read checkpoint (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`${file}: checkpoint is not valid JSON`);
  }
  const parsed = shape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${file}: damaged checkpoint (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`);
  }
  return json as Checkpoint;
}
