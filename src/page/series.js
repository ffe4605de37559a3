/**
 * The selected run's points as the chart draws them: column arrays in epoch order, one
 * point per epoch, bounded in length.
 *
 * The dedupe rule: an event whose epoch is not above the last point's is dropped, so a
 * replay after a reconnect never draws an epoch twice; a `reset` to epoch E removes every
 * point with epoch ≥ E (the run resumed from an earlier checkpoint, or the server is a new
 * instance), after which E is accepted again.
 *
 * @example
 * const s = createSeries();
 * s.add({ epoch: 1, loss: 0.9, smoothedLoss: 0.9, band: { lo: 0.3, hi: 0.4 }, sigma: 0.1, draws: 1 }); // true
 * s.add({ epoch: 1, loss: 0.8, … }); // false: already drawn
 * s.reset(1); s.length; // 0
 */
export function createSeries(options = {}) {
  const maxPoints = options.maxPoints ?? 4000;
  /** epoch, loss, smoothed loss, band lo, band hi, σ, K: uPlot's column layout. */
  let columns = [[], [], [], [], [], [], []];

  const finite = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const positive = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
  const lastEpoch = () => columns[0].at(-1) ?? 0;

  /** Halves the older half of the points, keeping the higher loss of each pair (spikes matter). */
  function thin() {
    const [epochs, losses] = columns;
    const half = Math.floor(epochs.length / 2);
    const keep = [];
    for (let i = 0; i < half; i += 2) {
      const a = losses[i];
      const b = i + 1 < half ? losses[i + 1] : a;
      keep.push(a === null || (b !== null && a >= b) ? i : i + 1);
    }
    if (keep[0] !== 0) keep.unshift(0); // the chart starts where the run did
    for (let i = half; i < epochs.length; i++) keep.push(i);
    columns = columns.map((col) => keep.map((i) => col[i]));
  }

  return {
    get length() {
      return columns[0].length;
    },
    get lastEpoch() {
      return lastEpoch();
    },
    /** Adds a finished epoch; returns false (and changes nothing) for an epoch already drawn. */
    add(event) {
      if (!(typeof event.epoch === 'number' && event.epoch > lastEpoch())) return false;
      const band = event.band ?? {};
      const values = [
        event.epoch,
        finite(event.loss),
        finite(event.smoothedLoss),
        finite(band.lo),
        finite(band.hi),
        positive(event.sigma),
        finite(event.draws),
      ];
      values.forEach((v, i) => columns[i].push(v));
      if (columns[0].length > maxPoints) thin();
      return true;
    },
    /** Removes every point with epoch ≥ `epoch`. */
    reset(epoch) {
      const cut = columns[0].findIndex((e) => e >= epoch);
      if (cut >= 0) columns = columns.map((col) => col.slice(0, cut));
    },
    /** A copy of the columns, for uPlot's `setData`. */
    data() {
      return columns.map((col) => col.slice());
    },
  };
}
