/**
 * Prototype for src/train/gaussian.ts: a seeded N(0, 1) generator that is ~5× cheaper than
 * Box–Muller over seedrandom's Alea. Marsaglia & Tsang's ziggurat (128 layers, J. Stat.
 * Software 5(8), 2000) over xorshift128 (Marsaglia 2003): ~99 % of samples cost one 32-bit
 * xorshift, a table lookup, a compare and a multiply — no log/sqrt/sin/cos. State is four
 * uint32s, so it checkpoints as easily as Alea's.
 *
 * `addScaled(x, sigma, out)` fuses generation and application: out[i] = x[i] + σ·z.
 */
const kn = new Float64Array(128);
const wn = new Float64Array(128);
const fn = new Float64Array(128);
{
  const m1 = 2147483648.0;
  let dn = 3.442619855899;
  let tn = dn;
  const vn = 9.91256303526217e-3;
  const q = vn / Math.exp(-0.5 * dn * dn);
  kn[0] = (dn / q) * m1;
  kn[1] = 0;
  wn[0] = q / m1;
  wn[127] = dn / m1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = (dn / tn) * m1;
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / m1;
  }
}

export class ZigguratGaussian {
  private readonly s = new Int32Array(4);

  constructor(seed: number) {
    // splitmix32 expands the seed so no state word is zero.
    let z = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
      this.s[i] = t ^ (t >>> 16) || 1;
    }
  }

  /** The next signed 32-bit xorshift128 output. */
  private int32(): number {
    const s = this.s;
    let t = s[3] as number;
    t ^= t << 11;
    t ^= t >>> 8;
    s[3] = s[2] as number;
    s[2] = s[1] as number;
    s[1] = s[0] as number;
    const w = s[0] as number;
    t ^= w ^ (w >>> 19);
    s[0] = t;
    return t | 0;
  }

  /** Uniform in (0, 1). */
  private uni(): number {
    return ((this.int32() >>> 0) + 0.5) / 4294967296;
  }

  private tail(hz: number, iz: number): number {
    for (;;) {
      if (iz === 0) {
        let x: number;
        let y: number;
        do {
          x = -Math.log(this.uni()) * 0.2904764;
          y = -Math.log(this.uni());
        } while (y + y < x * x);
        return hz > 0 ? 3.44262 + x : -3.44262 - x;
      }
      const x = hz * (wn[iz] as number);
      if ((fn[iz] as number) + this.uni() * ((fn[iz - 1] as number) - (fn[iz] as number)) < Math.exp(-0.5 * x * x)) return x;
      hz = this.int32();
      iz = hz & 127;
      if (Math.abs(hz) < (kn[iz] as number)) return hz * (wn[iz] as number);
    }
  }

  /** out = K stacked copies of x, each value plus σ·z (K = out.length / x.length, an integer). */
  addScaled(x: Float32Array, sigma: number, out: Float32Array): void {
    const n = x.length;
    const st = this.s;
    let s0 = st[0] as number;
    let s1 = st[1] as number;
    let s2 = st[2] as number;
    let s3 = st[3] as number;
    for (let base = 0; base < out.length; base += n) {
      for (let j = 0; j < n; j++) {
        let t = s3;
        t ^= t << 11;
        t ^= t >>> 8;
        s3 = s2;
        s2 = s1;
        s1 = s0;
        t ^= s0 ^ (s0 >>> 19);
        s0 = t;
        const hz = t | 0;
        const iz = hz & 127;
        let z: number;
        if (Math.abs(hz) < (kn[iz] as number)) {
          z = hz * (wn[iz] as number);
        } else {
          st[0] = s0;
          st[1] = s1;
          st[2] = s2;
          st[3] = s3;
          z = this.tail(hz, iz);
          s0 = st[0] as number;
          s1 = st[1] as number;
          s2 = st[2] as number;
          s3 = st[3] as number;
        }
        out[base + j] = (x[j] as number) + sigma * z;
      }
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
  }

  /** Fills `out` with N(0, 1) samples. */
  fill(out: Float32Array): void {
    this.addScaled(new Float32Array(out.length), 1, out);
  }
}
