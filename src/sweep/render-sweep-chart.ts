import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { buildSweepChartSpec, type SweepChartOptions } from './sweep-chart-spec.js';
import type { SweepRow } from './sweep-results.js';

/**
 * Renders a sweep's comparison plot (see {@link buildSweepChartSpec}) to an SVG string,
 * headless, with Vega's `'none'` renderer as the run report does.
 *
 * @example
 * fs.writeFileSync('sweep.svg', await renderSweepChart(rows, { title: 'iris-bands' }));
 */
export async function renderSweepChart(rows: readonly SweepRow[], options: SweepChartOptions = {}): Promise<string> {
  const view = new View(parse(compile(buildSweepChartSpec(rows, options)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
