import type { ReportEvent } from '../../src/report/downsample.js';

/** A run whose loss decays towards a band that moves half-way, as a controller run would. */
export function syntheticRun(epochs: number): ReportEvent[] {
  return Array.from({ length: epochs }, (_, i) => {
    const epoch = i + 1;
    const loss = 0.3 + 0.9 * Math.exp(-epoch / 20) + 0.05 * Math.sin(epoch);
    return {
      epoch,
      loss,
      smoothedLoss: 0.3 + 0.9 * Math.exp(-epoch / 20),
      sigma: 0.05 + 0.2 * (1 - Math.exp(-epoch / 50)),
      band: epoch <= epochs / 2 ? { lo: 0.3, hi: 0.4 } : { lo: 0.35, hi: 0.45 },
    };
  });
}
