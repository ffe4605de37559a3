import type { TopLevelSpec } from 'vega-lite';
import { downsampleEvents } from './downsample.js';
import type { ReportEvent, ReportRow } from './downsample.js';

/** Points per series of a report unless `maxPoints` says otherwise. */
export const DEFAULT_MAX_POINTS = 2000;

/** Options of {@link buildReportSpec}. */
export interface ReportSpecOptions {
  /** Chart title. Defaults to none. */
  readonly title?: string | undefined;
  /** Most points per series; longer runs are bucketed (see `downsampleEvents`). Defaults to 2000. */
  readonly maxPoints?: number | undefined;
  /** Plot width in pixels. Defaults to 800. */
  readonly width?: number | undefined;
  /** Plot height in pixels. Defaults to 360. */
  readonly height?: number | undefined;
}

/** Legend entries and their colours, in legend order. */
const SERIES = [
  ['band', '#54a24b'],
  ['raw loss', '#9ecae9'],
  ['smoothed loss', '#1f77b4'],
  ['σ', '#e45756'],
] as const;
export const LOSS_AXIS_TITLE = 'loss';
export const SIGMA_AXIS_TITLE = 'σ (input noise std)';

/**
 * The Vega-Lite spec of one run: the band shaded per epoch (it may move during a run),
 * raw and smoothed loss on the left axis, σ on an independent right axis (log scale when
 * every σ is positive), epochs on x. Runs longer than `maxPoints` epochs are bucketed and
 * raw loss is drawn as its per-bucket mean inside a min–max envelope, so the SVG stays
 * small for 100k epochs.
 *
 * @example
 * const spec = buildReportSpec(events, { title: 'run iris-pid' });
 */
export function buildReportSpec(events: readonly ReportEvent[], options: ReportSpecOptions = {}): TopLevelSpec {
  const values = downsampleEvents(events, options.maxPoints ?? DEFAULT_MAX_POINTS);
  return buildReportSpecFromRows(values, values.length < events.length, options);
}

/**
 * {@link buildReportSpec} from rows already downsampled (by a `Downsampler` fed while
 * streaming the history); `bucketed` says whether a row stands for more than one epoch.
 *
 * @example
 * const spec = buildReportSpecFromRows(d.rows(), d.events > d.rows().length, { title: 'iris' });
 */
export function buildReportSpecFromRows(
  values: readonly ReportRow[],
  bucketed: boolean,
  options: ReportSpecOptions = {},
): TopLevelSpec {
  const logSigma = values.some((r) => r.sigma !== null) && values.every((r) => r.sigma === null || r.sigma > 0);

  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { nice: false } } as const;
  const lossY = (field: string) => ({ field, type: 'quantitative', title: LOSS_AXIS_TITLE }) as const;
  const color = (name: (typeof SERIES)[number][0]) =>
    ({
      datum: name,
      scale: { domain: SERIES.map(([s]) => s), range: SERIES.map(([, c]) => c) },
      legend: { title: null, orient: 'top', symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 3 },
    }) as const;

  const lossLayers = [
    {
      mark: { type: 'area', interpolate: 'step-after', opacity: 0.18 },
      encoding: { x, y: lossY('lo'), y2: { field: 'hi' }, color: color('band') },
    },
    ...(bucketed
      ? [
          {
            mark: { type: 'area', opacity: 0.35 },
            encoding: { x, y: lossY('lossMin'), y2: { field: 'lossMax' }, color: color('raw loss') },
          } as const,
        ]
      : []),
    {
      mark: { type: 'line', strokeWidth: 1 },
      encoding: { x, y: lossY('loss'), color: color('raw loss') },
    },
    {
      mark: { type: 'line', strokeWidth: 2 },
      encoding: { x, y: lossY('smoothedLoss'), color: color('smoothed loss') },
    },
  ] as const;

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title === undefined ? {} : { title: options.title }),
    width: options.width ?? 800,
    height: options.height ?? 360,
    background: 'white',
    data: { values: [...values] },
    layer: [
      { layer: [...lossLayers] },
      {
        mark: { type: 'line', strokeWidth: 1.5, strokeDash: [4, 2] },
        encoding: {
          x,
          y: {
            field: 'sigma',
            type: 'quantitative',
            title: SIGMA_AXIS_TITLE,
            scale: logSigma ? { type: 'log' } : { zero: true },
            axis: { orient: 'right' },
          },
          color: color('σ'),
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
}
