import type { EpochEvent } from '../core/epoch-event.js';

/** The fields of an epoch event that a report plots. */
export type ReportEvent = Pick<EpochEvent, 'epoch' | 'loss' | 'smoothedLoss' | 'sigma' | 'band'>;

/**
 * One plotted point: an epoch, or a bucket of consecutive epochs in a long run. Non-finite
 * values become `null`, which Vega-Lite leaves out instead of failing on.
 */
export interface ReportRow {
  /** First epoch of the bucket. */
  readonly epoch: number;
  /** Mean raw loss of the bucket. */
  readonly loss: number | null;
  /** Smallest and largest raw loss of the bucket, so spikes survive downsampling. */
  readonly lossMin: number | null;
  readonly lossMax: number | null;
  /** Smoothed loss, σ and band at the bucket's last epoch: they are state, not samples. */
  readonly smoothedLoss: number | null;
  readonly sigma: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
}

/**
 * Turns events into at most `maxPoints` plot rows by cutting them into equal runs of
 * consecutive epochs. Raw loss keeps its mean, min and max per bucket; the state series
 * keep their last value. With no more than `maxPoints` events, every event is a row.
 *
 * @example
 * downsampleEvents(events100k, 2000).length; // 2000
 */
export function downsampleEvents(events: readonly ReportEvent[], maxPoints: number): ReportRow[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 1) {
    throw new RangeError(`maxPoints must be a positive integer, got ${maxPoints}`);
  }
  const size = Math.max(1, Math.ceil(events.length / maxPoints));
  const rows: ReportRow[] = [];
  for (let start = 0; start < events.length; start += size) {
    const end = Math.min(events.length, start + size);
    let sum = 0;
    let count = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = start; i < end; i++) {
      const loss = (events[i] as ReportEvent).loss;
      if (!Number.isFinite(loss)) continue;
      sum += loss;
      count++;
      if (loss < min) min = loss;
      if (loss > max) max = loss;
    }
    const first = events[start] as ReportEvent;
    const last = events[end - 1] as ReportEvent;
    rows.push({
      epoch: first.epoch,
      loss: count > 0 ? sum / count : null,
      lossMin: count > 0 ? min : null,
      lossMax: count > 0 ? max : null,
      smoothedLoss: finite(last.smoothedLoss),
      sigma: finite(last.sigma),
      lo: finite(last.band.lo),
      hi: finite(last.band.hi),
    });
  }
  return rows;
}

function finite(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
