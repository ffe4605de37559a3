import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset.js';
import type { JsBatch } from '../noise/noisy-batch.js';

/**
 * One-hot label tensors for the noisy batches of {@link NoisyBatch}: cached per K for the
 * in-order full batch (re-created only when K changes), built per epoch when rows are shuffled.
 *
 * @example
 * const labels = new BatchLabels(train);
 * tf.tidy(() => loss(labels.of(batch), logits));
 */
export class BatchLabels {
  private cached: { draws: number; labels: tf.Tensor2D } | undefined;

  constructor(private readonly train: Dataset) {}

  /** Labels matching `batch` (call inside `tf.tidy`; the cached tensor survives it). */
  of(batch: JsBatch): tf.Tensor2D {
    const { y, rows: n, classNames } = this.train;
    const classes = classNames.length;
    const row = batch.order ? (r: number) => (batch.order as Int32Array)[r] as number : (r: number) => r;
    const build = (): tf.Tensor2D => {
      const oneHot = new Float32Array(batch.rows * classes);
      for (let r = 0; r < batch.rows; r++) oneHot[r * classes + (y[row(r) % n] as number)] = 1;
      return tf.tensor2d(oneHot, [batch.rows, classes]);
    };
    if (batch.order) return build();
    if (this.cached?.draws !== batch.draws) {
      this.cached?.labels.dispose();
      this.cached = { draws: batch.draws, labels: tf.keep(build()) };
    }
    return this.cached.labels;
  }

  dispose(): void {
    this.cached?.labels.dispose();
    this.cached = undefined;
  }
}
