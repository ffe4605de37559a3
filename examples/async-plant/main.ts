/**
 * Any trainer can be a plant: this one is a hand-written linear regression trained by SGD in
 * plain JavaScript, asynchronous as a remote or worker-thread trainer would be (it yields to the
 * event loop between batches). `train()` awaits each epoch and holds its noisy MSE in the band.
 *
 *   npx tsx examples/async-plant/main.ts --epochs 200 [--seed 1] [--band 0.5,0.6]
 */
import { parseArgs } from 'node:util';
import { EMPTY_BAND_STATISTICS, Gaussian, LoopActuator, reduceBandStatistics, train } from 'lossband';
import type { Actuation, EpochMeasurement, Plant } from 'lossband';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    band: { type: 'string', default: '0.5,0.6' },
  },
});
const epochs = Number(args.epochs);
const [lo = NaN, hi = NaN] = args.band.split(',').map(Number);
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, got ${args.epochs}`);

// ── the plant: 30 lines ──────────────────────────────────────────────────────────────────────
/** Learns w in y ≈ w·x by minibatch SGD on inputs plus N(0, σ²) noise; loss = MSE before each step. */
class LinearRegressionPlant implements Plant {
  private readonly batch = 50;
  private readonly rate = 0.05;
  private readonly w: Float32Array;
  constructor(
    private readonly x: Float32Array,
    private readonly y: Float32Array,
    private readonly g: Gaussian,
  ) {
    this.w = new Float32Array(x.length / y.length);
  }
  async step({ sigma }: Actuation): Promise<EpochMeasurement> {
    const t0 = performance.now();
    const d = this.w.length;
    let total = 0;
    for (let start = 0; start < this.y.length; start += this.batch) {
      await new Promise((resolve) => setImmediate(resolve)); // as if the batch ran elsewhere
      const rows = Math.min(this.batch, this.y.length - start);
      const xs = this.x.slice(start * d, (start + rows) * d);
      const z = new Float32Array(xs.length);
      this.g.fill(z);
      for (let i = 0; i < xs.length; i++) xs[i] = xs[i]! + sigma * z[i]!; // the input noise σ·z
      const grad = new Float32Array(d);
      for (let r = 0; r < rows; r++) {
        const row = xs.subarray(r * d, (r + 1) * d);
        const err = row.reduce((sum, v, j) => sum + v * this.w[j]!, -this.y[start + r]!);
        total += err * err;
        row.forEach((v, j) => (grad[j] = grad[j]! + (2 * err * v) / rows));
      }
      grad.forEach((g, j) => (this.w[j] = this.w[j]! - this.rate * g));
    }
    const loss = total / this.y.length;
    const durationMs = performance.now() - t0;
    return { loss, valLoss: NaN, valAccuracy: NaN, durationMs, nonFinite: !Number.isFinite(loss) };
  }
  dispose(): void {}
}
// ────────────────────────────────────────────────────────────────────────────────────────────

/** 1000 rows of 5 standard-normal features, y = x·(1, -1, 0.5, 0, 2) + N(0, 0.1²). */
const g = new Gaussian(args.seed);
const x = new Float32Array(1000 * 5);
const y = new Float32Array(1000);
g.fill(x);
g.fill(y);
const trueW = [1, -1, 0.5, 0, 2];
for (let r = 0; r < 1000; r++)
  y[r] = 0.1 * (y[r] as number) + trueW.reduce((s, wj, j) => s + wj * (x[r * 5 + j] as number), 0);

let stats = EMPTY_BAND_STATISTICS;
await new Promise<void>((resolve, reject) => {
  train({
    run: 'async-plant',
    epochs,
    plant: () => new LinearRegressionPlant(x, y, g),
    actuator: () => new LoopActuator({ band: { lo, hi }, draws: 1 }),
  }).subscribe({ next: (e) => (stats = reduceBandStatistics(stats, e)), error: reject, complete: resolve });
});
console.log(
  JSON.stringify({
    example: 'async-plant',
    epochs: stats.epochs,
    band: { lo, hi },
    firstInBandEpoch: stats.firstInBandEpoch,
    inBandFraction: stats.inBandFraction,
    lastSigma: stats.lastSigma,
  }),
);
