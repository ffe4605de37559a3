/**
 * Exports what a real Prometheus scraped from one target into a replay fixture: every series
 * the alert rules read (see `ruleInputNames`), via `/api/v1/query_range` on a grid of `--step`
 * seconds. The grid is the scrape interval, so each step holds one scrape; a step with no value
 * is one where the series did not exist or had been marked stale.
 *
 *   npx tsx test/prometheus/export-series.ts --prometheus http://127.0.0.1:9090 \
 *     --instance 127.0.0.1:9464 --start 1796035500 --end 1796037600 --step 5 \
 *     --recording '{"commands": ["..."]}' --out test/prometheus/fixtures/x.json
 *
 * Not a test: run by hand after a recording (docs/observability.md, "Alerts").
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ruleInputNames } from './promql-sources.js';
import type { RecordedSeries, SeriesFixture } from './series-fixture.js';

interface Matrix {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

/** One query_range answer laid on the fixture grid. */
export function onGrid(
  result: NonNullable<Matrix['data']>['result'],
  start: number,
  step: number,
  steps: number,
): RecordedSeries[] {
  return result.map(({ metric, values }) => {
    const grid: (string | null)[] = new Array<string | null>(steps).fill(null);
    for (const [t, v] of values) {
      const i = Math.round((t - start) / step);
      if (i < 0 || i >= steps || Math.abs(start + i * step - t) > 1e-6)
        throw new Error(`sample at ${t} is off the grid ${start}+${step}k`);
      grid[i] = v;
    }
    return { metric, values: grid };
  });
}

/** The fixture as committed: readable header, one line per series. */
export function formatFixture(fixture: SeriesFixture): string {
  const { series, ...head } = fixture;
  const header = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return `${header},\n  "series": [\n${series.map((s) => `    ${JSON.stringify(s)}`).join(',\n')}\n  ]\n}\n`;
}

async function queryRange(
  base: string,
  query: string,
  start: number,
  end: number,
  step: number,
): Promise<NonNullable<Matrix['data']>['result']> {
  const url = new URL('/api/v1/query_range', base);
  for (const [k, v] of Object.entries({ query, start: String(start), end: String(end), step: String(step) }))
    url.searchParams.set(k, v);
  const body = (await (await fetch(url)).json()) as Matrix;
  if (body.status !== 'success' || body.data?.resultType !== 'matrix')
    throw new Error(`${query}: ${body.error ?? body.status}`);
  return body.data.result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      prometheus: { type: 'string' },
      instance: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      step: { type: 'string', default: '5' },
      recording: { type: 'string', default: '{}' },
      out: { type: 'string' },
    },
  });
  const need = (name: keyof typeof values): string => {
    const v = values[name];
    if (v === undefined) throw new Error(`--${name} is required`);
    return v;
  };
  const [start, end, step] = [Number(need('start')), Number(need('end')), Number(need('step'))];
  const steps = Math.floor((end - start) / step) + 1;
  const instance = need('instance');
  const series: RecordedSeries[] = [];
  for (const name of ruleInputNames()) {
    const result = await queryRange(
      need('prometheus'),
      `{__name__="${name}", instance="${instance}"}`,
      start,
      end,
      step,
    );
    series.push(...onGrid(result, start, step, steps));
  }
  const key = (s: RecordedSeries): string => JSON.stringify(Object.entries(s.metric).sort());
  series.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const fixture: SeriesFixture = {
    recording: JSON.parse(values.recording ?? '{}') as Record<string, unknown>,
    start,
    step,
    series,
  };
  writeFileSync(need('out'), formatFixture(fixture));
  console.log(`wrote ${series.length} series x ${steps} steps to ${need('out')}`);
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) await main();
