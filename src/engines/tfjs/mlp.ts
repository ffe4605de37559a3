import * as tf from '@tensorflow/tfjs';
import { initialWeights } from '../initial-weights.js';
import { PLANT_DEFAULTS, type MlpOptions } from '../plant-options.js';

export type { MlpOptions };
import { dense } from './dense.js';

/** A multilayer perceptron held as plain variables: dense → ReLU → … → dense logits. */
export interface Mlp {
  /** Variables in layer order: W1, b1, W2, b2, … (W is `[fanIn, fanOut]`). */
  readonly variables: readonly tf.Variable[];
  /** Layer widths including input and output, e.g. `[4, 10, 3]`. */
  readonly widths: readonly number[];
  /** Trainable parameter count. */
  readonly parameters: number;
  /** Logits for a batch `[n, inputs]`. */
  forward(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

/**
 * Builds an MLP initialised like PyTorch's `nn.Linear`: weights and biases both drawn from
 * U(−1/√fan_in, 1/√fan_in), from a seeded generator so a seed fixes the initial network.
 *
 * @example
 * const mlp = buildMlp({ inputs: 4, hidden: [10], outputs: 3, seed: '42' });
 * const logits = mlp.forward(tf.zeros([1, 4]));
 */
export function buildMlp(options: MlpOptions): Mlp {
  const widths = [options.inputs, ...(options.hidden ?? PLANT_DEFAULTS.hidden), options.outputs];
  const initial = initialWeights(widths, options.seed ?? PLANT_DEFAULTS.seed);
  const variables: tf.Variable[] = [];
  let parameters = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l] as number;
    const fanOut = widths[l + 1] as number;
    const w = initial[2 * l] as Float32Array;
    const b = initial[2 * l + 1] as Float32Array;
    tf.tidy(() => {
      variables.push(tf.variable(tf.tensor2d(w, [fanIn, fanOut]), true));
      variables.push(tf.variable(tf.tensor1d(b), true));
    });
    parameters += fanIn * fanOut + fanOut;
  }
  const layers = variables.length / 2;
  return {
    variables,
    widths,
    parameters,
    forward(x) {
      let h: tf.Tensor2D = x;
      for (let l = 0; l < layers; l++) {
        const w = variables[2 * l] as tf.Variable<tf.Rank.R2>;
        const b = variables[2 * l + 1] as tf.Variable<tf.Rank.R1>;
        h = dense(h, w, b, { relu: l + 1 < layers, inputGrad: l > 0 });
      }
      return h;
    },
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}
