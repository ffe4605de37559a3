import seedrandom from 'seedrandom';
import type { Split } from '../../src/data/dataset.js';

/**
 * Prototype for a `HostPlant` (src/train/): the same full-batch epoch as TfjsPlant — σ-noise,
 * forward, softmax cross-entropy, backward, Adam (β 0.9/0.999, ε 1e-8, bias-corrected like
 * PyTorch), validation loss and accuracy — in plain JS loops over Float32Arrays. For tiny
 * models (Iris 4-10-3: ~17 kFLOP per forward) tfjs spends ~150 kernel dispatches per epoch at
 * ~6 µs each; this does the arithmetic directly. Float64 accumulators, float32 storage.
 */
export class HostMlp {
  private readonly w: Float32Array[] = [];
  private readonly m: Float32Array[] = [];
  private readonly v: Float32Array[] = [];
  private readonly g: Float32Array[] = [];
  private readonly acts: Float32Array[];
  private readonly deltas: Float32Array[];
  private readonly valActs: Float32Array[];
  private readonly noisy: Float32Array;
  private readonly widths: number[];
  private readonly rng: () => number;
  private t = 0;

  constructor(private readonly split: Split, hidden: readonly number[], seed = '0', private readonly lr = 0.01) {
    const { train, test } = split;
    this.widths = [train.features, ...hidden, train.classNames.length];
    const init = seedrandom.alea(`${seed}:init`);
    for (let l = 0; l + 1 < this.widths.length; l++) {
      const fanIn = this.widths[l] as number;
      const fanOut = this.widths[l + 1] as number;
      const bound = 1 / Math.sqrt(fanIn);
      // Layout per layer: W (fanIn × fanOut, row-major) then b (fanOut), as in buildMlp.
      for (const n of [fanIn * fanOut, fanOut]) {
        this.w.push(Float32Array.from({ length: n }, () => (2 * init() - 1) * bound));
        this.m.push(new Float32Array(n));
        this.v.push(new Float32Array(n));
        this.g.push(new Float32Array(n));
      }
    }
    this.acts = this.widths.map((w) => new Float32Array(train.rows * w));
    this.deltas = this.widths.map((w) => new Float32Array(train.rows * w));
    this.valActs = this.widths.map((w) => new Float32Array(test.rows * w));
    this.noisy = this.acts[0] as Float32Array;
    this.rng = seedrandom.alea(`${seed}:noise`);
    void this.split;
  }

  /** acts[l+1] = act(acts[l]·W + b) for every layer; returns nothing (outputs are logits). */
  private forward(acts: Float32Array[], rows: number): void {
    const layers = this.widths.length - 1;
    for (let l = 0; l < layers; l++) {
      const k = this.widths[l] as number;
      const n = this.widths[l + 1] as number;
      const a = acts[l] as Float32Array;
      const out = acts[l + 1] as Float32Array;
      const w = this.w[2 * l] as Float32Array;
      const b = this.w[2 * l + 1] as Float32Array;
      const relu = l + 1 < layers;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < n; j++) {
          let s = b[j] as number;
          for (let i = 0; i < k; i++) s += (a[r * k + i] as number) * (w[i * n + j] as number);
          out[r * n + j] = relu && s < 0 ? 0 : s;
        }
      }
    }
  }

  /** Mean softmax cross-entropy of logits vs labels; writes (softmax − onehot)/rows into `delta` when given. */
  private crossEntropy(logits: Float32Array, y: Int32Array, rows: number, delta?: Float32Array): { loss: number; correct: number } {
    const c = this.widths[this.widths.length - 1] as number;
    let loss = 0;
    let correct = 0;
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      let arg = 0;
      for (let j = 0; j < c; j++) {
        const z = logits[r * c + j] as number;
        if (z > max) {
          max = z;
          arg = j;
        }
      }
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp((logits[r * c + j] as number) - max);
      const label = y[r] as number;
      loss += Math.log(sum) + max - (logits[r * c + label] as number);
      if (arg === label) correct++;
      if (delta) for (let j = 0; j < c; j++) delta[r * c + j] = (Math.exp((logits[r * c + j] as number) - max) / sum - (j === label ? 1 : 0)) / rows;
    }
    return { loss: loss / rows, correct };
  }

  /** One epoch; returns [train loss (noisy, before the step), val loss, val accuracy]. */
  step(sigma: number): [number, number, number] {
    const { train, test } = this.split;
    const rows = train.rows;
    const x = train.x;
    const out = this.noisy;
    for (let i = 0; i < out.length; i += 2) {
      let u = this.rng();
      while (u === 0) u = this.rng();
      const r = sigma * Math.sqrt(-2 * Math.log(u));
      const t = 2 * Math.PI * this.rng();
      out[i] = (x[i] as number) + r * Math.cos(t);
      if (i + 1 < out.length) out[i + 1] = (x[i + 1] as number) + r * Math.sin(t);
    }
    this.forward(this.acts, rows);
    const layers = this.widths.length - 1;
    const { loss } = this.crossEntropy(this.acts[layers] as Float32Array, train.y, rows, this.deltas[layers]);
    for (let l = layers - 1; l >= 0; l--) {
      const k = this.widths[l] as number;
      const n = this.widths[l + 1] as number;
      const a = this.acts[l] as Float32Array;
      const d = this.deltas[l + 1] as Float32Array;
      const w = this.w[2 * l] as Float32Array;
      const gw = (this.g[2 * l] as Float32Array).fill(0);
      const gb = (this.g[2 * l + 1] as Float32Array).fill(0);
      const dPrev = l > 0 ? (this.deltas[l] as Float32Array) : undefined;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < n; j++) {
          const dj = d[r * n + j] as number;
          if (dj === 0) continue;
          gb[j] = (gb[j] as number) + dj;
          for (let i = 0; i < k; i++) gw[i * n + j] = (gw[i * n + j] as number) + (a[r * k + i] as number) * dj;
        }
        if (dPrev) {
          for (let i = 0; i < k; i++) {
            if ((a[r * k + i] as number) <= 0) {
              dPrev[r * k + i] = 0; // ReLU'(z) = 0 where the activation is 0
              continue;
            }
            let s = 0;
            for (let j = 0; j < n; j++) s += (w[i * n + j] as number) * (d[r * n + j] as number);
            dPrev[r * k + i] = s;
          }
        }
      }
    }
    this.t += 1;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    for (let p = 0; p < this.w.length; p++) {
      const w = this.w[p] as Float32Array;
      const g = this.g[p] as Float32Array;
      const m = this.m[p] as Float32Array;
      const v = this.v[p] as Float32Array;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i] as number;
        const mi = 0.9 * (m[i] as number) + 0.1 * gi;
        const vi = 0.999 * (v[i] as number) + 0.001 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = (w[i] as number) - (this.lr * (mi / c1)) / (Math.sqrt(vi / c2) + 1e-8);
      }
    }
    (this.valActs[0] as Float32Array).set(test.x);
    this.forward(this.valActs, test.rows);
    const val = this.crossEntropy(this.valActs[layers] as Float32Array, test.y, test.rows);
    return [loss, val.loss, val.correct / test.rows];
  }

  /** Trains `epochs` epochs; returns ms per epoch. */
  run(epochs: number, sigma = 0.1): number {
    const t0 = performance.now();
    for (let e = 0; e < epochs; e++) this.step(sigma);
    return (performance.now() - t0) / epochs;
  }
}
