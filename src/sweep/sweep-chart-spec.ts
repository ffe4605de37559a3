import type { TopLevelSpec } from 'vega-lite';
import type { SweepRow } from './sweep-results.js';

/** Options of {@link buildSweepChartSpec}. */
export interface SweepChartOptions {
  /** Chart title. Defaults to none. */
  readonly title?: string | undefined;
  /** Width of each panel in pixels. Defaults to 28 per run, at least 320. */
  readonly width?: number | undefined;
}

/** Colours of the states a run can end a sweep in, in legend order. */
const STATES = [
  ['finished', '#4c78a8'],
  ['stopped', '#f58518'],
  ['diverged', '#e45756'],
  ['failed', '#9d755d'],
  ['running', '#bab0ac'],
  ['pending', '#d8d8d8'],
] as const;

/**
 * The comparison plot of a sweep (`sweep.svg`), one column per run in point order:
 *
 * - top: the share of epochs the run's loss spent inside its band, coloured by the run's state;
 * - bottom: the run's final loss as a dot over its band (a bar from lo to hi), so a dot
 *   inside its bar is a run that ended in band.
 *
 * A run without figures (failed, never started) keeps its column, empty.
 *
 * @example
 * const spec = buildSweepChartSpec(rows, { title: 'iris-bands' });
 */
export function buildSweepChartSpec(rows: readonly SweepRow[], options: SweepChartOptions = {}): TopLevelSpec {
  const values = rows.map((r) => ({
    run: r.name,
    index: r.index,
    state: r.state,
    inBand: r.inBandFraction,
    finalLoss: r.finalLoss,
    lo: r.band?.lo ?? null,
    hi: r.band?.hi ?? null,
  }));
  const x = {
    field: 'run',
    type: 'nominal',
    sort: rows.map((r) => r.name),
    scale: { domain: rows.map((r) => r.name) },
    axis: { labelAngle: -40, labelLimit: 220, title: null },
  } as const;
  const width = options.width ?? Math.max(320, 28 * rows.length);
  // Fixed colours per state; the legend lists the states this sweep has.
  const present = STATES.filter(([state]) => rows.some((r) => r.state === state));
  const color = {
    field: 'state',
    type: 'nominal',
    scale: { domain: present.map(([s]) => s), range: present.map(([, c]) => c) },
    legend: { title: 'state', orient: 'top' },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title === undefined ? {} : { title: options.title }),
    background: 'white',
    data: { values },
    vconcat: [
      {
        width,
        height: 180,
        mark: { type: 'bar' },
        encoding: {
          x: { ...x, axis: { ...x.axis, labels: false, ticks: false } },
          y: {
            field: 'inBand',
            type: 'quantitative',
            title: 'epochs in band',
            scale: { domain: [0, 1] },
            axis: { format: '%' },
          },
          color,
          tooltip: [{ field: 'run' }, { field: 'inBand', format: '.1%' }, { field: 'state' }],
        },
      },
      {
        width,
        height: 200,
        layer: [
          {
            mark: { type: 'bar', opacity: 0.25, color: '#54a24b' },
            encoding: {
              x,
              y: { field: 'lo', type: 'quantitative', title: 'final loss (bar: band)', scale: { zero: false } },
              y2: { field: 'hi' },
            },
          },
          {
            mark: { type: 'point', filled: true, size: 60 },
            encoding: { x, y: { field: 'finalLoss', type: 'quantitative' }, color },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}
