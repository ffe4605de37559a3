/**
 * `lossband/report`: the run chart, rendered headless with Vega-Lite. A subpath of its own so
 * that `import 'lossband'` does not load Vega.
 *
 * @example
 * import { writeReport } from 'lossband/report';
 * await writeReport('runs/iris-pid'); // runs/iris-pid/report.svg
 */
export { renderReportSvg, writeReport } from './render-report.js';
export { downsampleEvents, type ReportEvent, type ReportRow } from './downsample.js';
export { buildReportSpec, type ReportSpecOptions } from './report-spec.js';
