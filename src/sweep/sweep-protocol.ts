import type { ResolvedConfig } from '../config/resolved-config.js';
import type { Band } from '../core/band.js';
import type { EpochEvent } from '../core/epoch-event.js';
import type { MetricsJson } from '../run/remote-runs-registry.js';
import type { RunView } from '../server/run-control.js';

/** A control request of the API, forwarded to the worker that trains the run. */
export type PointCommand =
  { readonly action: 'band'; readonly band: Band } | { readonly action: 'pause' | 'resume' | 'stop' };

/** What the sweep's main thread tells a point worker. */
export type ToPointWorker =
  /** Train one point: `config.out` is its run directory; `resume` continues it from its checkpoint. */
  | { readonly type: 'run'; readonly config: ResolvedConfig; readonly resume: boolean }
  /** A control request; the worker answers `applied` with the same `id`. */
  | ({ readonly type: 'command'; readonly id: number; readonly run: string } & PointCommand)
  /** No more points: end the thread once idle. */
  | { readonly type: 'close' };

/** The API's picture of one run on a worker. */
export interface PostedRun {
  readonly view: RunView;
  readonly lastEvent: EpochEvent | undefined;
}

/** How a point ended on its worker. */
export type PointResult =
  /** `runSession` returned (finished, or stopped by a command). */
  | { readonly kind: 'ended' }
  /** `runSession` threw: `exitCode` 3 is a diverged run, anything else a failure. */
  | { readonly kind: 'threw'; readonly message: string; readonly exitCode: number | undefined };

/** What a point worker tells the main thread. */
export type FromPointWorker =
  /**
   * Every ~250 ms and before `done`: the worker's run series (for `/metrics`) and the views of
   * the runs it has trained (for the control API).
   */
  | { readonly type: 'update'; readonly metrics: MetricsJson; readonly runs: readonly PostedRun[] }
  /**
   * Command `id` was applied to its run (for a band: written to `control.json`), or
   * `applied: false` when the run had ended or was unknown.
   */
  | { readonly type: 'applied'; readonly id: number; readonly applied: boolean }
  /** The point given by the last `run` message is over. */
  | { readonly type: 'done'; readonly run: string; readonly result: PointResult };
