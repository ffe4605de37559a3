import * as tf from '@tensorflow/tfjs';

/** The base options every tfjs layer takes (`name`, `inputShape`, `trainable`, …). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Options of {@link controlledNoise}; plain JSON, so they serialise with the model. */
export interface ControlledNoiseConfig extends LayerArgs {
  /** σ until lossband first sets it (a non-trainable weight, saved with the model's weights). Defaults to `0`. */
  sigma?: number;
  /**
   * Per-feature multiplier of σ: feature j gets noise of std σ·scale[j] (issue 12's
   * `noise.scale: feature` passes each feature's training-set std). Its length is either the
   * input's last dimension (broadcast over the others) or the product of all non-batch
   * dimensions (row-major, e.g. 64 for an `[8, 8, 1]` image). Defaults to none: every feature gets σ.
   */
  scale?: number[];
}

/** Fixed-draw batches whose noise a layer keeps (a pass over 4096 rows in batches of 1024 needs 4). */
const FIXED_DRAWS_KEPT = 16;

type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;
type Shape = (number | null)[];

function checkScale(scale: unknown, where: string): readonly number[] {
  if (!Array.isArray(scale) || scale.length === 0)
    throw new RangeError(`${where}: scale must be a non-empty array of numbers`);
  scale.forEach((s: unknown, j) => {
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0)
      throw new RangeError(`${where}: scale[${j}] must be a finite number >= 0, got ${String(s)}`);
  });
  return Object.freeze([...(scale as number[])]);
}

function checkSigma(sigma: unknown, where: string): number {
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || sigma < 0) {
    throw new RangeError(`${where}: sigma must be a finite number >= 0, got ${String(sigma)}`);
  }
  return sigma;
}

/**
 * Additive Gaussian input noise whose σ is set from outside while the model trains. In
 * training (`fit`, `fitDataset`, `trainOnBatch`) it returns `x + N(0, σ²·scale²)`, with fresh
 * noise for every batch; in inference (`predict`, `evaluate`, validation) it is the identity.
 *
 * σ lives in a non-trainable weight named `sigma`, read by every training call, so a new σ
 * applies to the next batch without recompiling. Unlike `tf.layers.gaussianNoise`, whose σ is
 * fixed at construction, this is what a controller can act through. Registered for
 * serialisation: `tf.loadLayersModel` restores it (its σ with the weights).
 *
 * @example
 * const noise = new ControlledNoise({ inputShape: [4] });
 * noise.setSigma(0.3);
 */
export class ControlledNoise extends tf.layers.Layer {
  /** The name tfjs serialises the layer under. */
  static className = 'ControlledNoise';

  private readonly initialSigma: number;
  private scaleValues: readonly number[] | undefined;
  private sigmaWeight: LayerVariable | undefined;
  private scaleTensor: tf.Tensor | undefined;
  private builtShape: Shape | undefined;
  private fixedDraw: { readonly seed: number; calls: number } | undefined;
  private readonly fixedDraws = new Map<string, tf.Tensor>();

  constructor(config: ControlledNoiseConfig = {}) {
    super(config);
    this.initialSigma = checkSigma(config.sigma ?? 0, 'controlledNoise');
    if (config.scale !== undefined) this.scaleValues = checkScale(config.scale, 'controlledNoise');
    this.supportsMasking = true;
  }

  /** Per-feature multiplier of σ, or `undefined` (see {@link ControlledNoiseConfig.scale}). */
  get scale(): readonly number[] | undefined {
    return this.scaleValues;
  }

  /**
   * Replaces the per-feature multiplier of σ (`undefined`: none, every feature gets σ); the next
   * training batch applies it. `bandCallback` and `TfjsModelPlant` call it for `noise.scale:
   * 'feature'`. Saved with the model's config, as a `scale` given at construction is.
   */
  setScale(scale: readonly number[] | undefined): void {
    const values = scale === undefined ? undefined : checkScale(scale, `controlledNoise "${this.name}"`);
    const tensor =
      values !== undefined && this.builtShape ? tf.keep(this.scaleFor(this.builtShape, values)) : undefined;
    this.scaleTensor?.dispose();
    this.scaleTensor = tensor;
    this.scaleValues = values;
  }

  override build(inputShape: Shape | Shape[]): void {
    // One input: a Shape like [null, 64]; several: an array of them (the noise applies to the first).
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    this.sigmaWeight = this.addWeight(
      'sigma',
      [],
      'float32',
      tf.initializers.constant({ value: this.initialSigma }),
      undefined,
      false,
    );
    this.builtShape = shape;
    if (this.scaleValues !== undefined) this.scaleTensor = tf.keep(this.scaleFor(shape, this.scaleValues));
    super.build(inputShape);
  }

  private scaleFor(inputShape: Shape, scale: readonly number[]): tf.Tensor {
    const features = inputShape.slice(1);
    const last = features[features.length - 1];
    const all = features.reduce<number>((n, d) => n * (d ?? NaN), 1);
    if (scale.length === last) return tf.tensor1d([...scale]);
    if (scale.length === all) return tf.tensor([...scale], features as number[]);
    throw new RangeError(
      `controlledNoise: scale has ${scale.length} entries, but the input [${features.join(', ')}] has ${last} in its last dimension and ${all} in all`,
    );
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const input = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const fixed = this.fixedDraw;
      if ((kwargs['training'] !== true && fixed === undefined) || this.sigmaWeight === undefined) return input;
      const sigma = this.sigmaWeight.read();
      if (fixed) {
        // The k-th batch of a fixed-draw pass gets the same N(0, 1) draw every time, times σ.
        const z = this.fixedNormal(fixed.seed + fixed.calls++, input.shape);
        const std = this.scaleTensor === undefined ? sigma : tf.mul(sigma, this.scaleTensor);
        return tf.add(input, tf.mul(z, std));
      }
      if (this.scaleTensor === undefined) {
        // One σ for every feature: draw N(0, σ²) at once, as gaussianNoise does, rather than
        // N(0, 1) times σ: one full-size op less per batch (bench section 8). σ is read from
        // the variable every call, so weights loaded into it take effect.
        const std = (sigma.dataSync() as Float32Array)[0] as number;
        return tf.add(input, tf.randomNormal(input.shape, 0, std));
      }
      const z = tf.randomNormal(input.shape, 0, 1);
      return tf.add(input, tf.mul(z, tf.mul(sigma, this.scaleTensor)));
    });
  }

  /**
   * The seeded N(0, 1) draw of shape `shape`, drawn once and kept: every fixed-draw pass needs
   * the same draws again, and drawing them (plus the gather `evaluate` does) was most of a
   * pass's cost on example (a)'s conv net. At most {@link FIXED_DRAWS_KEPT} are kept.
   */
  private fixedNormal(seed: number, shape: readonly number[]): tf.Tensor {
    const key = `${seed}:${shape.join('x')}`;
    const kept = this.fixedDraws.get(key);
    if (kept && !kept.isDisposed) return kept;
    if (this.fixedDraws.size >= FIXED_DRAWS_KEPT) this.dropFixedDraws();
    const z = tf.keep(tf.randomNormal([...shape], 0, 1, 'float32', seed));
    this.fixedDraws.set(key, z);
    return z;
  }

  private dropFixedDraws(): void {
    for (const z of this.fixedDraws.values()) z.dispose();
    this.fixedDraws.clear();
  }

  /**
   * Runs `fn` (an `evaluate` or `predict`, synchronous) with the noise on at inference too,
   * drawn from `seed`: the k-th call inside gets the k-th seeded draw, so the same pass over
   * the same batches sees the very same noise every time (common random numbers). What
   * {@link fixedDrawLoss} measures the controlled loss with.
   *
   * @example
   * const loss = layer.withFixedDraw(7, () => model.evaluate(x, y, { batchSize: 1024 }));
   */
  withFixedDraw<T>(seed: number, fn: () => T): T {
    const previous = this.fixedDraw;
    this.fixedDraw = { seed, calls: 0 };
    try {
      return fn();
    } finally {
      this.fixedDraw = previous;
    }
  }

  /** The σ the next training batch applies (0 before the layer is built and never set). */
  get sigma(): number {
    if (this.sigmaWeight === undefined) return this.initialSigma;
    return (this.sigmaWeight.read().dataSync() as Float32Array)[0] as number;
  }

  /** Sets σ for every following training batch; the layer must be built (part of a model). */
  setSigma(sigma: number): void {
    checkSigma(sigma, `controlledNoise "${this.name}"`);
    const weight = this.sigmaWeight;
    if (weight === undefined) throw new Error(`controlledNoise "${this.name}": not built yet; add it to a model first`);
    tf.tidy(() => {
      weight.write(tf.scalar(sigma, 'float32'));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { sigma: this.initialSigma };
    if (this.scale !== undefined) config['scale'] = [...this.scale];
    return { ...super.getConfig(), ...config };
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0) {
      this.scaleTensor?.dispose();
      this.scaleTensor = undefined;
      this.dropFixedDraws();
    }
    return result;
  }
}
tf.serialization.registerClass(ControlledNoise);

/**
 * A {@link ControlledNoise} layer: Gaussian input noise whose σ lossband sets each epoch.
 * Put it where the noise goes, usually right after the input.
 *
 * @example
 * const model = tf.sequential({ layers: [
 *   controlledNoise({ inputShape: [64] }),
 *   tf.layers.dense({ units: 10, activation: 'softmax' }),
 * ] });
 */
export function controlledNoise(config: ControlledNoiseConfig = {}): ControlledNoise {
  return new ControlledNoise(config);
}
