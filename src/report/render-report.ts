import { basename, join, resolve } from 'node:path';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { fileError } from '../data/read-user-file.js';
import { writeFileAtomicAsync } from '../store/atomic-write.js';
import type { ReportEvent } from './downsample.js';
import { readReportEvents } from './read-report-events.js';
import { buildReportSpec } from './report-spec.js';
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
  const vegaSpec = compile(buildReportSpec(events, options)).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Plots `runDir/events.jsonl` into `runDir/report.svg` and returns that path. The SVG is
 * written to a temporary file and renamed into place, so a viewer never sees half a file.
 * The title defaults to the run directory's name.
 *
 * @example
 * const svgPath = await writeReport('runs/iris-pid'); // 'runs/iris-pid/report.svg'
 */
export async function writeReport(runDir: string, options: ReportSpecOptions = {}): Promise<string> {
  const events = readReportEvents(join(runDir, 'events.jsonl'));
  const svg = await renderReportSvg(events, { ...options, title: options.title ?? basename(resolve(runDir)) });
  const target = join(runDir, 'report.svg');
  try {
    await writeFileAtomicAsync(target, svg);
  } catch (error) {
    throw fileError(target, error);
  }
  return target;
}
