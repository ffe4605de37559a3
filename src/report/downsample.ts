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

/** Fine buckets kept per output point while streaming: the output has at least ~31/32 of `maxPoints` rows. */
const FINE_PER_POINT = 32;

/**
 * Downsamples a stream of events of unknown length in bounded memory, one event at a time.
 * It keeps at most `32 × maxPoints` fine buckets of equal size (1 event at first); when they
 * are full, neighbours merge pairwise and the size doubles. {@link rows} then joins equal runs
 * of fine buckets into at most `maxPoints` rows. Raw loss keeps its mean, min and max per bucket;
 * the state series (smoothed loss, σ, band) keep their last value. With no more than
 * `maxPoints` events, every event is a row.
 *
 * @example
 * const d = new Downsampler(2000);
 * for await (const e of events) d.add(e);
 * d.rows().length; // ≤ 2000
 */
export class Downsampler {
  /** Events added so far. */
  events = 0;
  private readonly capacity: number;
  private size = 1;
  private used = 0;
  private fill = 0;
  private readonly first: Float64Array;
  private readonly sum: Float64Array;
  private readonly count: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly state: Float64Array[];

  constructor(readonly maxPoints: number) {
    if (!Number.isInteger(maxPoints) || maxPoints < 1) {
      throw new RangeError(`maxPoints must be a positive integer, got ${maxPoints}`);
    }
    this.capacity = FINE_PER_POINT * maxPoints;
    const column = () => new Float64Array(this.capacity);
    [this.first, this.sum, this.count, this.min, this.max] = [column(), column(), column(), column(), column()];
    this.state = [column(), column(), column(), column()]; // smoothedLoss, sigma, lo, hi
  }

  add(event: ReportEvent): void {
    if (this.used === 0 || this.fill === this.size) {
      if (this.used === this.capacity) this.halve();
      const r = this.used++;
      this.first[r] = event.epoch;
      this.sum[r] = 0;
      this.count[r] = 0;
      this.min[r] = Infinity;
      this.max[r] = -Infinity;
      this.fill = 0;
    }
    const r = this.used - 1;
    const loss = event.loss;
    if (Number.isFinite(loss)) {
      this.sum[r] = (this.sum[r] as number) + loss;
      this.count[r] = (this.count[r] as number) + 1;
      if (loss < (this.min[r] as number)) this.min[r] = loss;
      if (loss > (this.max[r] as number)) this.max[r] = loss;
    }
    const last = [event.smoothedLoss, event.sigma, event.band.lo, event.band.hi];
    this.state.forEach((col, i) => (col[r] = last[i] as number));
    this.fill += 1;
    this.events += 1;
  }

  /** The plot rows so far: at most `maxPoints`. */
  rows(): ReportRow[] {
    const group = Math.max(1, Math.ceil(this.used / this.maxPoints));
    const out: ReportRow[] = [];
    for (let start = 0; start < this.used; start += group) {
      const end = Math.min(this.used, start + group);
      let sum = 0;
      let count = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let r = start; r < end; r++) {
        sum += this.sum[r] as number;
        count += this.count[r] as number;
        min = Math.min(min, this.min[r] as number);
        max = Math.max(max, this.max[r] as number);
      }
      const [smoothedLoss, sigma, lo, hi] = this.state.map((col) => finite(col[end - 1]));
      out.push({
        epoch: this.first[start] as number,
        loss: count > 0 ? sum / count : null,
        lossMin: count > 0 ? min : null,
        lossMax: count > 0 ? max : null,
        smoothedLoss: smoothedLoss ?? null,
        sigma: sigma ?? null,
        lo: lo ?? null,
        hi: hi ?? null,
      });
    }
    return out;
  }

  /** Merges neighbouring fine buckets pairwise; the bucket size doubles. */
  private halve(): void {
    for (let i = 0; i < this.used / 2; i++) {
      const a = 2 * i;
      const b = a + 1;
      this.first[i] = this.first[a] as number;
      this.sum[i] = (this.sum[a] as number) + (this.sum[b] as number);
      this.count[i] = (this.count[a] as number) + (this.count[b] as number);
      this.min[i] = Math.min(this.min[a] as number, this.min[b] as number);
      this.max[i] = Math.max(this.max[a] as number, this.max[b] as number);
      for (const col of this.state) col[i] = col[b] as number;
    }
    this.used /= 2;
    this.size *= 2;
    this.fill = this.size;
  }
}

/**
 * Turns events into at most `maxPoints` plot rows (see {@link Downsampler}): with no more than
 * `maxPoints` events every event is a row, a longer run is cut into equal buckets of
 * consecutive epochs.
 *
 * @example
 * downsampleEvents(events100k, 2000).length; // ≤ 2000, > 1900
 */
export function downsampleEvents(events: readonly ReportEvent[], maxPoints: number): ReportRow[] {
  const d = new Downsampler(maxPoints);
  for (const e of events) d.add(e);
  return d.rows();
}

function finite(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
