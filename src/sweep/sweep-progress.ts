import { estimateEta } from './estimate-eta.js';
import type { PointState } from './sweep-state.js';

/** Options of {@link SweepProgress}. */
export interface SweepProgressOptions {
  /** Writes one line. Required. */
  readonly print: (line: string) => void;
  /** Points of the sweep. Required. */
  readonly total: number;
  /** Runs trained at once. Required. */
  readonly concurrency: number;
  /** Monotonic clock in ms. Defaults to `performance.now`. */
  readonly now?: (() => number) | undefined;
}

/** What a point's line shows when it ends. */
export interface PointEnd {
  readonly name: string;
  readonly state: PointState;
  readonly epochs?: number | null | undefined;
  readonly finalLoss?: number | null | undefined;
  readonly inBandFraction?: number | null | undefined;
  readonly error?: string | undefined;
}

const pct = (x: number | null | undefined): string =>
  x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)}%`;

/** `1 h 02 min`, `3 min 05 s`, `42 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

/**
 * The sweep's progress on the terminal: a line when a run ends (finished, stopped, diverged or
 * failed, with its figures or its error) followed by a status line — runs done, running and
 * failed of the total, and an ETA from the durations of the runs that ended so far.
 *
 * @example
 * const progress = new SweepProgress({ print: (l) => console.log(l), total: 8, concurrency: 2 });
 * progress.started('iris-0');
 * progress.ended({ name: 'iris-0', state: 'finished', epochs: 2000, finalLoss: 0.35, inBandFraction: 0.98 }, []);
 */
export class SweepProgress {
  private readonly now: () => number;
  private readonly startedAt = new Map<string, number>();
  private readonly durations: number[] = [];
  private done = 0;
  private failed = 0;

  constructor(private readonly o: SweepProgressOptions) {
    this.now = o.now ?? (() => performance.now());
  }

  /** Counts points that ended in earlier sessions as done. */
  skipped(count: number): void {
    this.done += count;
  }

  started(name: string): void {
    this.startedAt.set(name, this.now());
  }

  /** Prints the run's line and the status; `running` is the share done of each run still training. */
  ended(end: PointEnd, running: readonly (number | undefined)[]): void {
    const t0 = this.startedAt.get(end.name);
    this.startedAt.delete(end.name);
    const seconds = t0 === undefined ? undefined : (this.now() - t0) / 1000;
    if (end.state === 'failed') {
      this.failed += 1;
      this.o.print(`✗ ${end.name}: failed: ${end.error ?? 'unknown error'}`);
    } else {
      this.done += 1;
      if (seconds !== undefined && end.state === 'finished') this.durations.push(seconds);
      const loss = end.finalLoss === null || end.finalLoss === undefined ? '—' : end.finalLoss.toFixed(4);
      const took = seconds === undefined ? '' : `, ${seconds.toFixed(1)} s`;
      this.o.print(
        `${end.state === 'finished' ? '✓' : '•'} ${end.name}: ${end.state}, ${end.epochs ?? 0} epochs, final loss ${loss}, in band ${pct(end.inBandFraction)}${took}`,
      );
    }
    this.o.print(this.status(running));
  }

  /** `sweep: 3/8 done, 2 running, 1 failed, ETA 42 s`. */
  status(running: readonly (number | undefined)[]): string {
    const { total, concurrency } = this.o;
    const pending = Math.max(0, total - this.done - this.failed - running.length);
    const eta = estimateEta({ endedSeconds: this.durations, pending, running, concurrency });
    const etaText = pending + running.length === 0 ? '' : `, ETA ${eta === undefined ? '—' : formatDuration(eta)}`;
    return `sweep: ${this.done}/${total} done, ${running.length} running, ${this.failed} failed${etaText}`;
  }
}
