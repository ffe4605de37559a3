import type { RecordedSeries, SeriesFixture } from './series-fixture.js';

/** One promtool `input_series` entry. */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** Options of {@link toInputSeries}. */
export interface ReplayOptions {
  /** Labels set on every series (e.g. a stable `instance`). Defaults to none: recorded labels kept. */
  readonly labels?: Readonly<Record<string, string>>;
  /** First step replayed, as seconds after the fixture's start (a multiple of its step). Defaults to 0. */
  readonly from?: number;
  /** Last step replayed, as seconds after the fixture's start. Defaults to the fixture's end. */
  readonly to?: number;
  /** Series to drop (e.g. a metric the recorded trainer did not export yet). Defaults to none. */
  readonly drop?: (series: RecordedSeries) => boolean;
}

/**
 * Turns recorded series into promtool `input_series`, replayed from test time 0.
 *
 * - The replay starts at `from`; values that are Unix times (metrics named `*_timestamp_seconds`)
 *   are shifted by the same amount, so `time() - lossband_last_epoch_timestamp_seconds` means
 *   in the test what it meant live.
 * - A step with no value right after one with a value becomes `stale`: Prometheus had marked the
 *   series stale there (a failed scrape or a series gone from `/metrics`), and promtool must not
 *   carry the last value on for 5 minutes. Further empty steps are `_`.
 * - Runs of one value are folded into promtool's `vxN` form; values keep their recorded digits.
 *
 * @example
 * toInputSeries(fixture, { labels: { instance: 'lossband:9464' }, to: 1800 })[0];
 * // { series: 'lossband_band_lower{instance="lossband:9464", job="lossband", run="healthy"}', values: '0.3x360' }
 */
export function toInputSeries(fixture: SeriesFixture, options: ReplayOptions = {}): InputSeries[] {
  const { step } = fixture;
  const first = stepIndex(options.from ?? 0, step, 'from');
  const steps = fixture.series[0]?.values.length ?? 0;
  const last = options.to === undefined ? steps - 1 : stepIndex(options.to, step, 'to');
  if (first > last || last >= steps)
    throw new RangeError(`replay window [${options.from}, ${options.to}] s lies outside the ${steps} recorded steps`);
  const origin = fixture.start + first * step;
  return fixture.series
    .filter((s) => !(options.drop?.(s) ?? false))
    .map((s) => {
      const labels = { ...s.metric, ...options.labels };
      const shift = labels.__name__?.endsWith('_timestamp_seconds') ? origin : 0;
      const tokens = replayTokens(s.values.slice(first, last + 1), shift, s.values[first - 1] ?? null);
      return { series: seriesName(labels), values: fold(tokens) };
    })
    .filter((s) => s.values !== '');
}

function stepIndex(seconds: number, step: number, what: string): number {
  const i = seconds / step;
  if (!Number.isInteger(i) || i < 0)
    throw new RangeError(`${what}: ${seconds} s is not a non-negative multiple of the ${step} s step`);
  return i;
}

/** Values and gaps as promtool tokens; `before` is the value just before the window. */
function replayTokens(values: readonly (string | null)[], shift: number, before: string | null): string[] {
  let previous = before;
  const tokens = values.map((v) => {
    const token = v === null ? (previous === null ? '_' : 'stale') : shift === 0 ? v : formatShifted(Number(v) - shift);
    previous = v;
    return token;
  });
  // A series that never has a value in the window is left out rather than replayed as gaps.
  return tokens.every((t) => t === '_' || t === 'stale') ? [] : tokens;
}

/** Shifted times keep millisecond precision, as the trainer exports them. */
function formatShifted(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

/** Folds runs: `a a a` → `ax2`, `_ _ _` → `_x3` (promtool counts repeats of a value, but gaps absolutely). */
export function fold(tokens: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < tokens.length;) {
    let j = i + 1;
    while (j < tokens.length && tokens[j] === tokens[i] && tokens[i] !== 'stale') j += 1;
    const token = tokens[i] as string;
    const n = j - i;
    if (n === 1) out.push(token);
    else if (token === '_') out.push(`_x${n}`);
    else out.push(`${token}x${n - 1}`);
    i = j;
  }
  return out.join(' ');
}

/** `name{a="1", b="2"}` with label values escaped as PromQL strings. */
export function seriesName(labels: Readonly<Record<string, string>>): string {
  const { __name__: name, ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `${name ?? ''}{${pairs.join(', ')}}`;
}
