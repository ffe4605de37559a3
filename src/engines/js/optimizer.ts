const f32 = Math.fround;
const BETA1 = f32(0.9);
const BETA2 = f32(0.999);
const ONE_MINUS_BETA1 = f32(1 - 0.9);
const ONE_MINUS_BETA2 = f32(1 - 0.999);
const EPSILON = f32(1e-8);

/**
 * Adam (β 0.9/0.999, ε 1e-8) or plain SGD over one flat Float32Array of parameters, written
 * to round exactly as tfjs' optimisers do: tfjs applies Adam as a chain of float32 kernels
 * (`m·β1 + g·(1−β1)`, `v·β2 + g²·(1−β2)`, `m / (1 − accβ1)`, `√· + ε`, `÷`, `·(−lr)`, `+ w`),
 * so each step here is one `Math.fround`: a float64 operation on float32 inputs rounded once
 * is the correctly rounded float32 result, for + − × ÷ and √. Given the same gradient, a step
 * is bit-identical to `tf.train.adam(lr, 0.9, 0.999, 1e-8)` / `tf.train.sgd(lr)`, including
 * the running β powers `accBeta1`/`accBeta2` (multiplied in float32 each step, never `pow`).
 * The per-element cost is a few nanoseconds against the microseconds of the layers.
 *
 * @example
 * const opt = new JsOptimizer('adam', 0.01, weights.length);
 * opt.step(weights, gradient); // w −= lr · m̂ / (√v̂ + ε)
 */
export class JsOptimizer {
  /** Steps taken (tfjs' `iterations`). */
  iterations = 0;
  /** β1ᵗ⁺¹ and β2ᵗ⁺¹ as float32, as tfjs keeps them after t steps. */
  accBeta1 = BETA1;
  accBeta2 = BETA2;
  /** First and second moments (Adam only; zero-length for SGD). */
  readonly m: Float32Array;
  readonly v: Float32Array;
  private readonly negLr: number;

  constructor(
    readonly type: 'adam' | 'sgd',
    learningRate: number,
    size: number,
  ) {
    if (!Number.isFinite(learningRate)) throw new RangeError(`learningRate must be finite, got ${learningRate}`);
    this.negLr = f32(-learningRate);
    this.m = new Float32Array(type === 'adam' ? size : 0);
    this.v = new Float32Array(type === 'adam' ? size : 0);
  }

  /** One update of `weights` by `gradient` (same layout, float32). */
  step(weights: Float32Array, gradient: Float32Array): void {
    const n = weights.length;
    const negLr = this.negLr;
    if (this.type === 'sgd') {
      for (let i = 0; i < n; i++) weights[i] = f32((weights[i] as number) + f32(negLr * (gradient[i] as number)));
    } else {
      const m = this.m;
      const v = this.v;
      const c1 = f32(1 - this.accBeta1);
      const c2 = f32(1 - this.accBeta2);
      for (let i = 0; i < n; i++) {
        const g = gradient[i] as number;
        const mi = f32(f32((m[i] as number) * BETA1) + f32(g * ONE_MINUS_BETA1));
        const vi = f32(f32((v[i] as number) * BETA2) + f32(f32(g * g) * ONE_MINUS_BETA2));
        m[i] = mi;
        v[i] = vi;
        const denom = f32(f32(Math.sqrt(f32(vi / c2))) + EPSILON);
        weights[i] = f32(f32(f32(f32(mi / c1) / denom) * negLr) + (weights[i] as number));
      }
      this.accBeta1 = f32(this.accBeta1 * BETA1);
      this.accBeta2 = f32(this.accBeta2 * BETA2);
    }
    this.iterations += 1;
  }
}
