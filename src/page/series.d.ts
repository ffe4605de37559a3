/** Types of series.js, for the tests that import it. */
export interface SeriesEvent {
  readonly epoch: number;
  readonly loss?: number | null;
  readonly smoothedLoss?: number | null;
  readonly band?: { readonly lo?: number | null; readonly hi?: number | null };
  readonly sigma?: number | null;
  readonly draws?: number | null;
}

export interface Series {
  readonly length: number;
  readonly lastEpoch: number;
  add(event: SeriesEvent): boolean;
  reset(epoch: number): void;
  data(): (number | null)[][];
}

export function createSeries(options?: { maxPoints?: number }): Series;
