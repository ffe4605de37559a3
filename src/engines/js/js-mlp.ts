import { initialWeights } from '../initial-weights.js';
import { PLANT_DEFAULTS, type MlpOptions } from '../plant-options.js';
import { gemmNT, transpose } from './gemm.js';

/** Options of {@link JsMlp}: the same shape and seed as the tfjs `buildMlp`. */
export type JsMlpOptions = MlpOptions;

/** Work buffers for a fixed row count: each layer's output and error signal. */
export interface JsBuffers {
  readonly rows: number;
  /** `acts[l]`: `rows × widths[l+1]` outputs of layer l (ReLU applied; logits for the last). */
  readonly acts: readonly Float32Array[];
  /** `deltas[l]`: ∂loss/∂pre-activation of layer l, same shape; empty for forward-only buffers. */
  readonly deltas: readonly Float32Array[];
  /** Transposed copies for the weight gradients: layer l's input (`widths[l] × rows`) and delta. */
  readonly inputsT: readonly Float32Array[];
  readonly deltasT: readonly Float32Array[];
}

/**
 * The MLP of `buildMlp` as plain typed arrays: the same widths and the same seeded
 * U(−1/√fan_in, 1/√fan_in) draws in the same order (W1 `[fanIn, fanOut]` row-major, b1, W2,
 * b2, …), held in one flat Float32Array so an optimiser step is one loop. Every product is
 * {@link gemmNT} (A·Bᵀ over contiguous rows): a transposed copy of each W serves the forward
 * pass, and the backward pass transposes each layer's input and delta once per batch (O(rows ·
 * width), against O(rows · width²) for the products). Gradients are summed in float64 and
 * handed to the optimiser as float32, like tfjs'.
 *
 * @example
 * const mlp = new JsMlp({ inputs: 4, hidden: [10], outputs: 3, seed: '0' });
 * const buf = mlp.buffers(120, true);
 * mlp.forward(x, 0, 120, buf); // logits in buf.acts[1]
 */
export class JsMlp {
  readonly widths: readonly number[];
  readonly parameters: number;
  /** W1, b1, W2, b2, … back to back. */
  readonly weights: Float32Array;
  /** Views of {@link weights}, one per variable, in that order. */
  readonly variables: readonly Float32Array[];
  /** The last {@link backward}'s gradient, in the layout of {@link weights}. */
  readonly gradient: Float32Array;
  private readonly layers: number;
  private readonly offsets: number[] = [];
  private readonly wT: Float32Array[] = [];

  constructor(options: JsMlpOptions) {
    const widths = [options.inputs, ...(options.hidden ?? PLANT_DEFAULTS.hidden), options.outputs];
    const initial = initialWeights(widths, options.seed ?? PLANT_DEFAULTS.seed);
    this.widths = widths;
    this.layers = widths.length - 1;
    let size = 0;
    for (let l = 0; l < this.layers; l++) {
      const k = widths[l] as number;
      const n = widths[l + 1] as number;
      this.offsets.push(size);
      size += k * n + n;
      this.wT.push(new Float32Array(k * n));
    }
    this.parameters = size;
    this.weights = new Float32Array(size);
    this.gradient = new Float32Array(size);
    const variables: Float32Array[] = [];
    for (let l = 0; l < this.layers; l++) {
      const k = widths[l] as number;
      const n = widths[l + 1] as number;
      const at = this.offsets[l] as number;
      variables.push(this.weights.subarray(at, at + k * n), this.weights.subarray(at + k * n, at + k * n + n));
    }
    this.variables = variables;
    variables.forEach((v, i) => v.set(initial[i] as Float32Array));
    this.sync();
  }

  /** Buffers for `rows` rows; with `training`, also the error signals for {@link backward}. */
  buffers(rows: number, training: boolean): JsBuffers {
    const outs = this.widths.slice(1);
    const ins = this.widths.slice(0, -1);
    const make = (widths: readonly number[]): Float32Array[] =>
      training ? widths.map((w) => new Float32Array(rows * w)) : [];
    return {
      rows,
      acts: outs.map((w) => new Float32Array(rows * w)),
      deltas: make(outs),
      inputsT: make(ins),
      deltasT: make(outs),
    };
  }

  /** Refreshes the transposed weights; call after {@link weights} changed. */
  sync(): void {
    for (let l = 0; l < this.layers; l++) {
      const k = this.widths[l] as number;
      const n = this.widths[l + 1] as number;
      const w = this.variables[2 * l] as Float32Array;
      const t = this.wT[l] as Float32Array;
      for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) t[j * k + i] = w[i * n + j] as number;
    }
  }

  /** Logits of rows `x[xOff … xOff + rows·inputs)`, left in `buf.acts[last]` and returned. */
  forward(x: Float32Array, xOff: number, rows: number, buf: JsBuffers): Float32Array {
    let a = x;
    let off = xOff;
    for (let l = 0; l < this.layers; l++) {
      const out = buf.acts[l] as Float32Array;
      const b = this.variables[2 * l + 1] as Float32Array;
      const k = this.widths[l] as number;
      const n = this.widths[l + 1] as number;
      gemmNT(a, off, rows, k, this.wT[l] as Float32Array, n, out, 0, b, l + 1 < this.layers, 1);
      a = out;
      off = 0;
    }
    return buf.acts[this.layers - 1] as Float32Array;
  }

  /**
   * Back-propagates `buf.deltas[last]` (∂/∂logits, unscaled) through the activations of the
   * last {@link forward} of the same rows, and writes `scale` × the gradient to {@link gradient}.
   */
  backward(x: Float32Array, xOff: number, rows: number, buf: JsBuffers, scale: number): void {
    const g = this.gradient;
    for (let l = this.layers - 1; l >= 0; l--) {
      const k = this.widths[l] as number;
      const n = this.widths[l + 1] as number;
      const at = this.offsets[l] as number;
      const d = buf.deltas[l] as Float32Array;
      const dT = buf.deltasT[l] as Float32Array;
      const aT = buf.inputsT[l] as Float32Array;
      const a = l === 0 ? x : (buf.acts[l - 1] as Float32Array);
      transpose(d, 0, rows, n, dT);
      transpose(a, l === 0 ? xOff : 0, rows, k, aT);
      // dW = xᵀ·δ straight into W's [k, n] layout; db = column sums of δ (rows of δᵀ).
      gemmNT(aT, 0, k, rows, dT, n, g, at, null, false, scale);
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let r = j * rows, end = r + rows; r < end; r++) s += dT[r] as number;
        g[at + k * n + j] = scale * s;
      }
      if (l > 0) {
        // δ·Wᵀ, then the ReLU mask: a > 0 exactly where the pre-activation was (tfjs' step(y)).
        const prev = buf.deltas[l - 1] as Float32Array;
        gemmNT(d, 0, rows, n, this.variables[2 * l] as Float32Array, k, prev, 0, null, false, 1);
        for (let i = 0, end = rows * k; i < end; i++) if (!((a[i] as number) > 0)) prev[i] = 0;
      }
    }
  }
}
