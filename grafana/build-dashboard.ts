import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildDashboard } from './lossband-dashboard.js';

export { buildDashboard, DASHBOARD_UID } from './lossband-dashboard.js';

/** Where `npm run dashboard` writes the dashboard; Grafana provisioning reads it from there. */
export const DASHBOARD_PATH = fileURLToPath(new URL('./dashboards/lossband.json', import.meta.url));

/**
 * The dashboard as committed: 2-space JSON and a final newline, so rebuilding is byte-stable
 * and `test/grafana/dashboard.test.ts` can tell a stale file from a fresh one.
 *
 * @example
 * writeFileSync(DASHBOARD_PATH, renderDashboard());
 */
export function renderDashboard(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  writeFileSync(DASHBOARD_PATH, renderDashboard());
  console.log(`wrote ${DASHBOARD_PATH}`);
}
