import type { Dataset } from '../../data/dataset.js';
/** What the noise actuator draws from: a {@link Gaussian} or a prefetching {@link NoiseSource}. */
export interface NoiseStream {
  addScaled(x: Float32Array, sigma: number, out: Float32Array): void;
  fill(out: Float32Array): void;
  uniform(): number;
}

/** One epoch's noisy training inputs on the host, ready to upload. */
export interface JsBatch {
  /** `rows × features` row-major: K noisy copies of every training row. */
  readonly x: Float32Array;
  readonly rows: number;
  readonly features: number;
  readonly draws: number;
  /** Source row of each batch row when shuffled; `null` when rows are in draw-major order. */
  readonly order: Int32Array | null;
}

/**
 * The noise actuator: builds x + σ·z for K draws of every training row in one host pass
 * (ziggurat samples into a reused Float32Array), so the device sees one upload per epoch instead
 * of a `randomNormal` kernel per draw. Plain typed arrays only: no tensors here.
 *
 * @example
 * const batches = new NoisyBatch(train, new Gaussian('0:noise'));
 * const b = batches.next(0.1, 4, false); // 4 × rows noisy samples
 */
export class NoisyBatch {
  private buffer = new Float32Array(0);
  private order = new Int32Array(0);

  constructor(
    private readonly train: Dataset,
    private readonly gaussian: NoiseStream,
  ) {}

  next(sigma: number, draws: number, shuffle: boolean): JsBatch {
    const { rows: n, features: f, x } = this.train;
    const rows = n * draws;
    const size = rows * f;
    if (this.buffer.length !== size) this.buffer = new Float32Array(size);
    const out = this.buffer;
    let order: Int32Array | null = null;
    if (shuffle) {
      order = this.shuffledOrder(rows);
    }
    if (!order) {
      // K noisy copies of the rows in order: generated and applied in one pass.
      if (sigma > 0) this.gaussian.addScaled(x, sigma, out);
      else for (let k = 0; k < draws; k++) out.set(x, k * n * f);
    } else {
      if (sigma > 0) this.gaussian.fill(out);
      else out.fill(0);
      for (let r = 0; r < rows; r++) {
        const src = ((order[r] as number) % n) * f;
        const dst = r * f;
        for (let j = 0; j < f; j++) out[dst + j] = (x[src + j] as number) + sigma * (out[dst + j] as number);
      }
    }
    return { x: out, rows, features: f, draws, order };
  }

  private shuffledOrder(rows: number): Int32Array {
    if (this.order.length !== rows) this.order = new Int32Array(rows);
    const order = this.order;
    for (let i = 0; i < rows; i++) order[i] = i;
    for (let i = rows - 1; i > 0; i--) {
      const j = Math.floor(this.gaussian.uniform() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    return order;
  }
}
