import uPlot from './uplot.js';

const LOSS = '#1f77b4';
const RAW = 'rgba(90, 90, 90, 0.8)';
const BAND = 'rgba(44, 160, 44, 0.7)';
const BAND_FILL = 'rgba(44, 160, 44, 0.18)';
const SIGMA = '#d62728';
const DRAWS = '#9467bd';

/** Column indices of the series, as `createSeries().data()` lays them out. */
export const COLUMNS = Object.freeze({ epoch: 0, loss: 1, smoothed: 2, lo: 3, hi: 4, sigma: 5, draws: 6 });

/**
 * A uPlot chart of one run inside `el`: raw and smoothed loss on the left axis with the band
 * (its per-epoch lo and hi) shaded between them, σ on a log axis and K stepped on the right.
 *
 * @example
 * const chart = createChart(document.querySelector('#chart'), series.data());
 * chart.setData(series.data());
 */
export function createChart(el, data) {
  const opts = {
    width: Math.max(320, el.clientWidth),
    height: 360,
    scales: {
      x: { time: false },
      loss: { auto: true },
      sigma: { distr: 3, log: 10 },
      k: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1) + 1] },
    },
    series: [
      { label: 'epoch' },
      { label: 'loss', scale: 'loss', stroke: RAW, width: 1 },
      { label: 'smoothed', scale: 'loss', stroke: LOSS, width: 2 },
      { label: 'band lo', scale: 'loss', stroke: BAND, width: 1 },
      { label: 'band hi', scale: 'loss', stroke: BAND, width: 1 },
      { label: 'σ', scale: 'sigma', stroke: SIGMA, width: 1.5 },
      { label: 'K', scale: 'k', stroke: DRAWS, width: 1, paths: uPlot.paths.stepped({ align: 1 }) },
    ],
    bands: [{ series: [COLUMNS.hi, COLUMNS.lo], fill: BAND_FILL }],
    axes: [
      { label: 'epoch' },
      { scale: 'loss', label: 'loss' },
      { scale: 'sigma', label: 'σ (log)', side: 1, grid: { show: false }, stroke: SIGMA },
      { scale: 'k', label: 'K', side: 1, grid: { show: false }, stroke: DRAWS, size: 40 },
    ],
    legend: { live: true },
  };
  return new uPlot(opts, data, el);
}
