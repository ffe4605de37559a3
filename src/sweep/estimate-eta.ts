/** What {@link estimateEta} estimates from. */
export interface EtaInput {
  /** Wall seconds of each run that ended in this session. */
  readonly endedSeconds: readonly number[];
  /** Runs not started yet. */
  readonly pending: number;
  /** Share of its epochs each running run has done (0–1); `undefined` for a run without an epoch limit. */
  readonly running: readonly (number | undefined)[];
  /** Runs trained at once. */
  readonly concurrency: number;
}

/**
 * Seconds until a sweep is done, from the runs that ended so far: the work left (pending runs
 * plus the undone share of the running ones) at their mean duration, spread over the lanes
 * that are busy. `undefined` while no run has ended, or when a running run has no epoch limit.
 *
 * @example
 * estimateEta({ endedSeconds: [10, 12], pending: 4, running: [0.5, 0.25], concurrency: 2 }); // 11 × 5.25 / 2 ≈ 28.9
 */
export function estimateEta(input: EtaInput): number | undefined {
  const { endedSeconds, pending, running, concurrency } = input;
  if (endedSeconds.length === 0 || running.some((f) => f === undefined)) return undefined;
  const mean = endedSeconds.reduce((a, b) => a + b, 0) / endedSeconds.length;
  const left = pending + running.reduce<number>((sum, f) => sum + (1 - Math.min(1, Math.max(0, f ?? 0))), 0);
  const lanes = Math.min(Math.max(1, concurrency), pending + running.length);
  return lanes === 0 ? 0 : (mean * left) / lanes;
}
