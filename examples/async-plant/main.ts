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
  private readonly w: Float32Array;
  constructor(
    private readonly x: Float32Array,
    private readonly y: Float32Array,
    private readonly g: Gaussian,
    private readonly batch = 50,
    private readonly rate = 0.05,
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
      const noisy = this.x.slice(start * d, (start + rows) * d);
      const z = new Float32Array(noisy.length);
      this.g.fill(z);
      const grad = new Float32Array(d);
      for (let r = 0; r < rows; r++) {
        let err = -(this.y[start + r] as number);
        for (let j = 0; j < d; j++)
          err +=
            (this.w[j] as number) *
            (noisy[r * d + j] = (noisy[r * d + j] as number) + sigma * (z[r * d + j] as number));
        total += err * err;
        for (let j = 0; j < d; j++) grad[j] = (grad[j] as number) + (2 * err * (noisy[r * d + j] as number)) / rows;
      }
      for (let j = 0; j < d; j++) this.w[j] = (this.w[j] as number) - this.rate * (grad[j] as number);
    }
    const loss = total / this.y.length;
    return {
      loss,
      valLoss: NaN,
      valAccuracy: NaN,
      durationMs: performance.now() - t0,
      nonFinite: !Number.isFinite(loss),
    };
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
