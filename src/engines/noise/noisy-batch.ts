import type { Dataset } from '../../data/dataset.js';
/** What the noise actuator draws from: a {@link Gaussian} or a prefetching {@link NoiseSource}. */
export interface NoiseStream {
  addScaled(x: Float32Array, sigma: number, out: Float32Array, scale?: Float32Array): void;
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

/** Options of {@link NoisyBatch}. */
export interface NoisyBatchOptions {
  /**
   * One positive number per feature that multiplies σ for that feature: with each feature's
   * training-set std, σ means the same relative corruption for every feature (`noise.scale:
   * feature`). Defaults to none: σ in input units.
   */
  readonly featureScale?: ArrayLike<number> | undefined;
  /**
   * Antithetic draws: with K ≥ 2, copy 2m + 1 gets the negated noise of copy 2m, so the
   * first-order effect of the noise on the loss cancels within each pair and the epoch's loss
   * jitters less for the same K (an odd K's last copy is independent). Defaults to `false`.
   */
  readonly antithetic?: boolean | undefined;
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
  /** σ multiplier per element of `train.x` (each feature's scale, repeated per row); undefined = 1. */
  private readonly elementScale: Float32Array | undefined;

  private readonly featureScale: ArrayLike<number> | undefined;
  private readonly antithetic: boolean;
  private mirror = new Float32Array(0);

  constructor(
    private readonly train: Dataset,
    private readonly gaussian: NoiseStream,
    options: NoisyBatchOptions = {},
  ) {
    const featureScale = options.featureScale;
    this.featureScale = featureScale;
    this.antithetic = options.antithetic ?? false;
    if (featureScale !== undefined) {
      if (featureScale.length !== train.features)
        throw new RangeError(`featureScale has ${featureScale.length} entries for ${train.features} features`);
      const f = train.features;
      this.elementScale = Float32Array.from({ length: train.rows * f }, (_, i) => featureScale[i % f] as number);
    }
  }

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
    const pairs = this.antithetic && sigma > 0 ? Math.floor(draws / 2) : 0;
    if (!order) {
      // K noisy copies of the rows in order: generated and applied in one pass; with antithetic
      // draws, the first K − pairs copies are drawn and the rest mirror them: x − σz = 2x − (x + σz).
      const drawn = (draws - pairs) * n * f;
      if (sigma > 0) this.gaussian.addScaled(x, sigma, pairs > 0 ? out.subarray(0, drawn) : out, this.elementScale);
      else for (let k = 0; k < draws; k++) out.set(x, k * n * f);
      for (let m = 0; m < pairs; m++) {
        const from = m * n * f;
        const to = drawn + from;
        for (let e = 0; e < n * f; e++) out[to + e] = 2 * (x[e] as number) - (out[from + e] as number);
      }
    } else {
      if (sigma > 0 && pairs > 0) this.mirrored(order, draws, pairs);
      else if (sigma > 0) this.gaussian.fill(out);
      else out.fill(0);
      const scale = this.featureScale;
      for (let r = 0; r < rows; r++) {
        const src = ((order[r] as number) % n) * f;
        const dst = r * f;
        if (scale === undefined)
          for (let j = 0; j < f; j++) out[dst + j] = (x[src + j] as number) + sigma * (out[dst + j] as number);
        else
          for (let j = 0; j < f; j++)
            out[dst + j] = (x[src + j] as number) + sigma * (scale[j] as number) * (out[dst + j] as number);
      }
    }
    return { x: out, rows, features: f, draws, order };
  }

  /** Noise for shuffled antithetic batches: copy c of a row gets ± the draw of copy ⌊c/2⌋ (mirrored for odd c). */
  private mirrored(order: Int32Array, draws: number, pairs: number): void {
    const { rows: n, features: f } = this.train;
    const drawnCopies = draws - pairs;
    if (this.mirror.length !== drawnCopies * n * f) this.mirror = new Float32Array(drawnCopies * n * f);
    const z = this.mirror;
    this.gaussian.fill(z);
    const out = this.buffer;
    for (let r = 0; r < order.length; r++) {
      const v = order[r] as number;
      const c = Math.floor(v / n);
      const i = v - c * n;
      const paired = c < 2 * pairs;
      const src = ((paired ? c >> 1 : pairs + (c - 2 * pairs)) * n + i) * f;
      const sign = paired && (c & 1) === 1 ? -1 : 1;
      for (let j = 0; j < f; j++) out[r * f + j] = sign * (z[src + j] as number);
    }
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
