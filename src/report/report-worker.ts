import { parentPort, workerData } from 'node:worker_threads';
import type { ReportEvent } from './downsample.js';
import type { FromReportThread, ToReportThread } from './report-thread.js';

/** A short made-up history for the warm-up drawing. */
const WARM_UP_EVENTS: readonly ReportEvent[] = Array.from({ length: 50 }, (_, i) => ({
  epoch: i + 1,
  loss: 0.3 + 0.1 * Math.sin(i / 5),
  smoothedLoss: 0.3 + 0.05 * Math.sin(i / 5),
  sigma: 0.1 + i / 100,
  band: { lo: 0.25, hi: 0.35 },
}));

/**
 * The report thread (see `startReportThread`): loads the renderer (vega, vega-lite) as soon
 * as it starts, while the run trains on the main thread, then writes `report.svg` for each
 * `render` it is sent and answers `rendered`.
 */
if (parentPort !== null && (workerData as { lossbandReport?: boolean } | null)?.lossbandReport === true) {
  const port = parentPort;
  const renderer = import('./render-report.js').then(async (module) => {
    // One throwaway drawing while the run trains: a first drawing in a fresh thread is twice
    // as slow as the next (Vega's code not yet compiled), and the real one comes at the end.
    await module.renderReportSvg(WARM_UP_EVENTS).catch(() => undefined);
    return module;
  });
  renderer.catch(() => undefined); // a render reports the failure
  port.on('message', (message: ToReportThread) => {
    renderer
      .then(({ writeReport }) => writeReport(message.dir, message.options))
      .then(
        (file): FromReportThread => ({ type: 'rendered', id: message.id, file }),
        (err: unknown): FromReportThread => ({
          type: 'rendered',
          id: message.id,
          error: err instanceof Error ? err.message : String(err),
        }),
      )
      .then((reply) => port.postMessage(reply));
  });
}
