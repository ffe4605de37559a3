/**
 * Summed softmax cross-entropy of `rows` rows of logits (`rows × classes`, row-major) against
 * integer labels `labels[labelOff + r]`, computed stably (log-sum-exp around the row maximum)
 * in float64. When `delta` is given it receives `softmax − onehot` per row: the gradient of the
 * summed loss with respect to the logits (the caller scales it by 1/rows and the flood sign).
 *
 * @example
 * const mean = softmaxCrossEntropy(logits, y, 0, 120, 3, delta) / 120;
 */
export function softmaxCrossEntropy(
  logits: Float32Array,
  labels: Int32Array,
  labelOff: number,
  rows: number,
  classes: number,
  delta: Float32Array | null,
): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) {
      const z = logits[o + j] as number;
      if (z > max) max = z;
    }
    const label = labels[labelOff + r] as number;
    let sum = 0;
    if (delta === null) {
      for (let j = 0; j < classes; j++) sum += Math.exp((logits[o + j] as number) - max);
    } else {
      // Exponentials go into delta and are normalised in place: one exp per logit, not two.
      for (let j = 0; j < classes; j++) {
        const e = Math.exp((logits[o + j] as number) - max);
        delta[o + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j < classes; j++) delta[o + j] = (delta[o + j] as number) * inv - (j === label ? 1 : 0);
    }
    total += Math.log(sum) + max - (logits[o + label] as number);
  }
  return total;
}

/**
 * Rows whose arg-max logit (the first one on ties, like `tf.argMax`) equals the label.
 *
 * @example
 * const accuracy = countCorrect(logits, test.y, test.rows, 3) / test.rows;
 */
export function countCorrect(logits: Float32Array, labels: Int32Array, rows: number, classes: number): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let arg = 0;
    let max = logits[o] as number;
    for (let j = 1; j < classes; j++) {
      const z = logits[o + j] as number;
      if (z > max) {
        max = z;
        arg = j;
      }
    }
    if (arg === labels[r]) correct++;
  }
  return correct;
}
