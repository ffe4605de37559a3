import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import { renderSweepChart } from '../../src/sweep/render-sweep-chart.js';
import { buildSweepChartSpec } from '../../src/sweep/sweep-chart-spec.js';
import type { SweepRow } from '../../src/sweep/sweep-results.js';

function row(
  index: number,
  state: SweepRow['state'],
  inBandFraction: number | null,
  finalLoss: number | null,
): SweepRow {
  return {
    index,
    name: `s-${index}`,
    params: { seed: index },
    state,
    epochs: 10,
    finalLoss,
    testAccuracy: 0.9,
    inBandFraction,
    firstInBandEpoch: 2,
    bandIAE: 1,
    finalSigma: 0.1,
    wallSeconds: 1,
    error: null,
    band: finalLoss === null ? null : { lo: 0.3, hi: 0.4 },
  };
}
const rows = [row(0, 'finished', 0.9, 0.35), row(1, 'failed', null, null), row(2, 'stopped', 0.4, 0.5)];

describe('sweep chart', () => {
  it('keeps every run as a column in point order, with the legend listing only the states present', () => {
    const spec = buildSweepChartSpec(rows, { title: 'iris' }) as unknown as {
      data: { values: { run: string; inBand: number | null }[] };
      vconcat: { encoding?: { color: { scale: { domain: string[] } }; x: { sort: string[] } } }[];
    };
    expect(spec.data.values.map((v) => v.run)).toEqual(['s-0', 's-1', 's-2']);
    expect(spec.vconcat[0]!.encoding!.x.sort).toEqual(['s-0', 's-1', 's-2']);
    expect(spec.vconcat[0]!.encoding!.color.scale.domain).toEqual(['finished', 'stopped', 'failed']);
    expect(() => compile(buildSweepChartSpec(rows))).not.toThrow();
  });

  it('renders an SVG naming every run and both panels', async () => {
    const svg = await renderSweepChart(rows, { title: 'iris-bands' });
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['iris-bands', 's-0', 's-1', 's-2', 'epochs in band', 'final loss (bar: band)'])
      expect(svg).toContain(text);
  });
});
