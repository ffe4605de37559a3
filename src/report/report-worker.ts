import { parentPort, workerData } from 'node:worker_threads';
import type { FromReportThread, ToReportThread } from './report-thread.js';

/**
 * The report thread (see `startReportThread`): loads the renderer (vega, vega-lite) as soon
 * as it starts, while the run trains on the main thread, then writes `report.svg` for each
 * `render` it is sent and answers `rendered`.
 */
if (parentPort !== null && (workerData as { lossbandReport?: boolean } | null)?.lossbandReport === true) {
  const port = parentPort;
  const renderer = import('./render-report.js');
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
