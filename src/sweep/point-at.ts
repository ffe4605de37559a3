import { UserError } from '../core/user-error.js';
import type { SweepPoint } from './expand-sweep.js';

/**
 * The point `lossband sweep --index I` runs: `points[I]`, nothing else. A Kubernetes Indexed
 * Job passes `JOB_COMPLETION_INDEX` (0 … completions − 1) here, so pod I runs exactly the point
 * a local sweep runs as its I-th. Anything but a whole number in range is a one-line
 * {@link UserError} naming the flag.
 *
 * @example
 * pointAt(expandSweep(loadSweepFile('examples/sweep.yaml')), '3').name;
 */
export function pointAt(points: readonly SweepPoint[], index: number | string): SweepPoint {
  const shown =
    typeof index === 'string' ? JSON.stringify(index.length > 20 ? `${index.slice(0, 20)}…` : index) : String(index);
  const range =
    points.length === 0 ? 'the sweep has no points' : `the sweep has ${points.length} points (0-${points.length - 1})`;
  const n = typeof index === 'number' ? index : /^\d{1,9}$/.test(index) ? Number(index) : Number.NaN;
  if (!Number.isInteger(n)) throw new UserError(`--index ${shown}: expected a whole number; ${range}`);
  const point = points[n];
  if (n < 0 || point === undefined) throw new UserError(`--index ${shown}: out of range; ${range}`);
  return point;
}
