/**
 * `out[outOff + r·p + j] = act(scale · Σₜ a[aOff + r·len + t] · b[j·len + t] + bias[j])` for
 * r < m, j < p: the one matrix product of the plain-JS engine ({@link JsMlp}). Both operands
 * are read along contiguous rows (A·Bᵀ), so every layer product is this kernel after at most
 * a transpose: forward `x·W` with B = Wᵀ, weight gradient `xᵀ·δ` with A = xᵀ and B = δᵀ, input
 * error `δ·Wᵀ` with B = W.
 *
 * Why it looks like this: V8 does not vectorise, so speed comes from registers. A 2×4 tile
 * (two rows of A against four rows of B: 8 float64 accumulators, 6 loads per 8
 * multiply-adds) runs at ~0.5 ns per multiply-add against ~1.6 ns for a plain dot product.
 * Sums are float64 and stored as float32 once — more accurate than tfjs' float32 kernels and
 * no slower (`Math.fround` per step would only add work).
 *
 * @example
 * gemmNT(x, 0, 120, 4, w1T, 10, h1, 0, b1, true, 1); // h1 = relu(x·W1 + b1)
 */
export function gemmNT(
  a: Float32Array,
  aOff: number,
  m: number,
  len: number,
  b: Float32Array,
  p: number,
  out: Float32Array,
  outOff: number,
  bias: Float32Array | null,
  relu: boolean,
  scale: number,
): void {
  let r = 0;
  for (; r + 2 <= m; r += 2) {
    const a0 = aOff + r * len;
    const a1 = a0 + len;
    const o0 = outOff + r * p;
    const o1 = o0 + p;
    let j = 0;
    for (; j + 4 <= p; j += 4) {
      const b0 = j * len;
      const b1 = b0 + len;
      const b2 = b1 + len;
      const b3 = b2 + len;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      for (let i = 0; i < len; i++) {
        const x = a[a0 + i] as number;
        const y = a[a1 + i] as number;
        let v = b[b0 + i] as number;
        s0 += x * v;
        t0 += y * v;
        v = b[b1 + i] as number;
        s1 += x * v;
        t1 += y * v;
        v = b[b2 + i] as number;
        s2 += x * v;
        t2 += y * v;
        v = b[b3 + i] as number;
        s3 += x * v;
        t3 += y * v;
      }
      const c0 = bias === null ? 0 : (bias[j] as number);
      const c1 = bias === null ? 0 : (bias[j + 1] as number);
      const c2 = bias === null ? 0 : (bias[j + 2] as number);
      const c3 = bias === null ? 0 : (bias[j + 3] as number);
      out[o0 + j] = act(scale * s0 + c0, relu);
      out[o0 + j + 1] = act(scale * s1 + c1, relu);
      out[o0 + j + 2] = act(scale * s2 + c2, relu);
      out[o0 + j + 3] = act(scale * s3 + c3, relu);
      out[o1 + j] = act(scale * t0 + c0, relu);
      out[o1 + j + 1] = act(scale * t1 + c1, relu);
      out[o1 + j + 2] = act(scale * t2 + c2, relu);
      out[o1 + j + 3] = act(scale * t3 + c3, relu);
    }
    if (j + 2 <= p) {
      const b0 = j * len;
      const b1 = b0 + len;
      let s0 = 0;
      let s1 = 0;
      let t0 = 0;
      let t1 = 0;
      for (let i = 0; i < len; i++) {
        const x = a[a0 + i] as number;
        const y = a[a1 + i] as number;
        const v = b[b0 + i] as number;
        const w = b[b1 + i] as number;
        s0 += x * v;
        t0 += y * v;
        s1 += x * w;
        t1 += y * w;
      }
      const c0 = bias === null ? 0 : (bias[j] as number);
      const c1 = bias === null ? 0 : (bias[j + 1] as number);
      out[o0 + j] = act(scale * s0 + c0, relu);
      out[o0 + j + 1] = act(scale * s1 + c1, relu);
      out[o1 + j] = act(scale * t0 + c0, relu);
      out[o1 + j + 1] = act(scale * t1 + c1, relu);
      j += 2;
    }
    if (j < p) {
      const b0 = j * len;
      let s = 0;
      let t = 0;
      for (let i = 0; i < len; i++) {
        const v = b[b0 + i] as number;
        s += (a[a0 + i] as number) * v;
        t += (a[a1 + i] as number) * v;
      }
      const c = bias === null ? 0 : (bias[j] as number);
      out[o0 + j] = act(scale * s + c, relu);
      out[o1 + j] = act(scale * t + c, relu);
    }
  }
  if (r < m) {
    const a0 = aOff + r * len;
    const o0 = outOff + r * p;
    for (let j = 0; j < p; j++) {
      const b0 = j * len;
      let s = 0;
      for (let i = 0; i < len; i++) s += (a[a0 + i] as number) * (b[b0 + i] as number);
      out[o0 + j] = act(scale * s + (bias === null ? 0 : (bias[j] as number)), relu);
    }
  }
}

function act(s: number, relu: boolean): number {
  return relu && s < 0 ? 0 : s;
}

/**
 * `dst[c·rows + r] = src[srcOff + r·cols + c]`: a `rows × cols` block transposed, so the
 * next product reads it along contiguous rows.
 *
 * @example
 * transpose(x, 0, 120, 4, xT); // xT is 4 × 120
 */
export function transpose(src: Float32Array, srcOff: number, rows: number, cols: number, dst: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const s = srcOff + r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[s + c] as number;
  }
}
