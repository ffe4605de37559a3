import seedrandom from 'seedrandom';

/** Serializable state of a {@link Gaussian} generator (for checkpoints). */
export interface GaussianState {
  readonly prng: seedrandom.State.Alea;
  readonly spare: number | null;
}

/**
 * A seeded standard-normal generator: Box–Muller over seedrandom's Alea PRNG, filling
 * Float32Arrays on the host. Roughly 10× faster than `tf.randomNormal` on wasm, and its
 * state can be saved and restored bit-exactly.
 *
 * @example
 * const g = new Gaussian('42');
 * const z = new Float32Array(8);
 * g.fill(z);                     // eight N(0, 1) samples
 */
export class Gaussian {
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spare: number | null = null;

  constructor(private readonly seed: string, state?: GaussianState) {
    this.prng = seedrandom.alea(seed, state ? { state: state.prng } : { state: true });
    if (state) this.spare = state.spare;
  }

  /** Continues from a saved state, as if the saving generator had gone on. */
  restore(state: GaussianState): void {
    this.prng = seedrandom.alea(this.seed, { state: state.prng });
    this.spare = state.spare;
  }

  /** One N(0, 1) sample. */
  next(): number {
    const one = new Float32Array(1);
    this.fill(one);
    return one[0] as number;
  }

  /** Fills `out` with N(0, 1) samples. */
  fill(out: Float32Array): void {
    let i = 0;
    if (this.spare !== null && out.length > 0) {
      out[i++] = this.spare;
      this.spare = null;
    }
    const prng = this.prng;
    for (; i < out.length; i += 2) {
      let u = prng();
      while (u === 0) u = prng();
      const r = Math.sqrt(-2 * Math.log(u));
      const t = 2 * Math.PI * prng();
      out[i] = r * Math.cos(t);
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
      else this.spare = r * Math.sin(t);
    }
  }

  /** Uniform sample in [0, 1) from the same stream. */
  uniform(): number {
    return this.prng();
  }

  state(): GaussianState {
    return { prng: this.prng.state(), spare: this.spare };
  }
}
