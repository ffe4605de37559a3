import { basename, join, resolve } from 'node:path';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { fileError } from '../data/read-user-file.js';
import { writeFileAtomicAsync } from '../store/atomic-write.js';
import type { TopLevelSpec } from 'vega-lite';
import { Downsampler, type ReportEvent } from './downsample.js';
import { readReportEvents } from './read-report-events.js';
import { buildReportSpec, buildReportSpecFromRows, DEFAULT_MAX_POINTS } from './report-spec.js';
import type { ReportSpecOptions } from './report-spec.js';

/**
 * Renders a run's chart (see `buildReportSpec`) to an SVG string, headless: Vega's
 * `'none'` renderer needs no canvas or browser.
 *
 * @example
 * await writeFile('report.svg', await renderReportSvg(events, { title: 'iris' }));
 */
export async function renderReportSvg(
  events: readonly ReportEvent[],
  options: ReportSpecOptions = {},
): Promise<string> {
  return renderSpec(buildReportSpec(events, options));
}

async function renderSpec(spec: TopLevelSpec): Promise<string> {
  const vegaSpec = compile(spec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Plots a run's history (`runDir/events.jsonl` and its rotated segments) into
 * `runDir/report.svg` and returns that path. The history is streamed through a
 * {@link Downsampler}, so memory stays bounded at any run length. The SVG is written to a
 * temporary file and renamed into place, so a viewer never sees half a file. The title
 * defaults to the run directory's name.
 *
 * @example
 * const svgPath = await writeReport('runs/iris-pid'); // 'runs/iris-pid/report.svg'
 */
export async function writeReport(runDir: string, options: ReportSpecOptions = {}): Promise<string> {
  const sampler = new Downsampler(options.maxPoints ?? DEFAULT_MAX_POINTS);
  for await (const event of readReportEvents(runDir)) sampler.add(event);
  const rows = sampler.rows();
  const title = options.title ?? basename(resolve(runDir));
  const svg = await renderSpec(buildReportSpecFromRows(rows, rows.length < sampler.events, { ...options, title }));
  const target = join(runDir, 'report.svg');
  try {
    await writeFileAtomicAsync(target, svg);
  } catch (error) {
    throw fileError(target, error);
  }
  return target;
}
