import { readFileSync } from 'node:fs';

/**
 * Series recorded from a real Prometheus, as `export-series.ts` writes them: the answer of
 * `/api/v1/query_range` on a regular grid, one value per step (or null where the series had
 * none, i.e. before it appeared or after Prometheus marked it stale).
 */
export interface SeriesFixture {
  /** How the series were recorded: commands, versions, dates. Free-form, for people. */
  readonly recording: Readonly<Record<string, unknown>>;
  /** Unix time (seconds) of the first step. */
  readonly start: number;
  /** Seconds between steps; the scrape interval of the recording. */
  readonly step: number;
  readonly series: readonly RecordedSeries[];
}

export interface RecordedSeries {
  /** Labels, `__name__` included, exactly as Prometheus returned them. */
  readonly metric: Readonly<Record<string, string>>;
  /** Values as Prometheus printed them, one per step from `start`; null where absent. */
  readonly values: readonly (string | null)[];
}

/** Reads a fixture and checks its shape, naming the file and the first bad field. */
export function loadSeriesFixture(path: string): SeriesFixture {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<SeriesFixture>;
  const bad = (field: string): never => {
    throw new Error(`${path}: ${field} is missing or malformed`);
  };
  if (typeof doc.start !== 'number' || !Number.isFinite(doc.start)) bad('start');
  if (typeof doc.step !== 'number' || !(doc.step > 0)) bad('step');
  if (typeof doc.recording !== 'object' || doc.recording === null) bad('recording');
  if (!Array.isArray(doc.series)) bad('series');
  const length = doc.series?.[0]?.values.length;
  doc.series?.forEach((s, i) => {
    if (typeof s.metric?.__name__ !== 'string') bad(`series[${i}].metric.__name__`);
    if (!Array.isArray(s.values) || s.values.length !== length) bad(`series[${i}].values`);
    s.values.forEach((v, j) => {
      if (v !== null && (typeof v !== 'string' || (Number.isNaN(Number(v)) && v !== 'NaN')))
        bad(`series[${i}].values[${j}]`);
    });
  });
  return doc as SeriesFixture;
}

/** Number of steps in a fixture. */
export function fixtureSteps(fixture: SeriesFixture): number {
  return fixture.series[0]?.values.length ?? 0;
}
