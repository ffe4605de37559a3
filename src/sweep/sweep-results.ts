import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Band } from '../core/band.js';
import type { SweepPoint } from './expand-sweep.js';
import type { PointRecord, PointState } from './sweep-state.js';

/** The `summary.json` figures a sweep compares, in column order. */
export const SUMMARY_FIGURES = [
  'epochs',
  'finalLoss',
  'testAccuracy',
  'inBandFraction',
  'firstInBandEpoch',
  'bandIAE',
  'finalSigma',
  'wallSeconds',
] as const;
type Figure = (typeof SUMMARY_FIGURES)[number];

/** One row of `sweep.json` / `sweep.csv`: a point, its parameters and what its run reached. */
export type SweepRow = {
  readonly index: number;
  readonly name: string;
  /** The swept keys and this point's values, as in the sweep file. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The run's state: `summary.json`'s, else the sweep's record (`failed`, `pending`). */
  readonly state: PointState;
} & { readonly [F in Figure]: number | null } & {
  /** Why the point failed, for `failed`. */
  readonly error: string | null;
  /** The band at the run's end (for the plot; not a column). */
  readonly band: Band | null;
};

function readSummary(dir: string): Record<string, unknown> | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as unknown;
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/**
 * The rows of a sweep: one per point, in point order, its figures read from
 * `<out>/<name>/summary.json`. A point without a summary has empty figures; a point the sweep
 * recorded as failed says `failed` and why, even when an older summary exists.
 *
 * @example
 * const rows = sweepRows(points, 'runs/iris-bands', state.points);
 */
export function sweepRows(points: readonly SweepPoint[], out: string, records: readonly PointRecord[]): SweepRow[] {
  return points.map((point) => {
    const summary = readSummary(path.join(out, point.name));
    const record = records.find((r) => r.index === point.index);
    const figures = Object.fromEntries(SUMMARY_FIGURES.map((f) => [f, num(summary?.[f])])) as Record<
      Figure,
      number | null
    >;
    const summaryState = summary?.state;
    const state: PointState =
      record?.state === 'failed'
        ? 'failed'
        : summaryState === 'finished' || summaryState === 'stopped' || summaryState === 'diverged'
          ? summaryState
          : (record?.state ?? 'pending');
    const band = summary?.band as Band | undefined;
    return {
      index: point.index,
      name: point.name,
      params: point.params,
      state,
      ...figures,
      error: state === 'failed' ? (record?.error ?? null) : null,
      band: band && typeof band.lo === 'number' && typeof band.hi === 'number' ? { lo: band.lo, hi: band.hi } : null,
    };
  });
}

/** `sweep.json`: the rows without the plot-only band. */
export function sweepJson(rows: readonly SweepRow[]): string {
  return (
    JSON.stringify(
      rows.map(({ band: _band, ...row }) => row),
      null,
      2,
    ) + '\n'
  );
}

/** A parameter as CSV cells: a plain object becomes one column per key (`band.lo`), anything else one. */
function flatten(key: string, value: unknown, into: Map<string, unknown>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(`${key}.${k}`, v, into);
  } else into.set(key, value);
}

const cell = (value: unknown): string | number | null =>
  value === null || value === undefined
    ? null
    : typeof value === 'number' || typeof value === 'string'
      ? value
      : typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);

/**
 * `sweep.csv`: `index, name`, one column per parameter (objects spread over their keys, e.g.
 * `band.lo, band.hi`; lists as JSON), `state`, the figures and `error`. A parameter column
 * whose name a fixed column already has (sweeping `epochs`) is named `params.<key>`.
 *
 * @example
 * fs.writeFileSync('sweep.csv', sweepCsv(rows));
 */
export function sweepCsv(rows: readonly SweepRow[]): string {
  const fixed = ['index', 'name', 'state', ...SUMMARY_FIGURES, 'error'];
  const cells = rows.map((row) => {
    const params = new Map<string, unknown>();
    for (const [key, value] of Object.entries(row.params)) flatten(key, value, params);
    return params;
  });
  const paramKeys = [...new Set(cells.flatMap((c) => [...c.keys()]))];
  const column = (key: string): string => (fixed.includes(key) ? `params.${key}` : key);
  const header = ['index', 'name', ...paramKeys.map(column), 'state', ...SUMMARY_FIGURES, 'error'];
  const records = rows.map((row, i) => [
    row.index,
    row.name,
    ...paramKeys.map((key) => cell(cells[i]?.get(key))),
    row.state,
    ...SUMMARY_FIGURES.map((f) => row[f]),
    row.error,
  ]);
  return stringify([header, ...records]);
}
