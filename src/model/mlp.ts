import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { dense } from './dense.js';

/** Options of {@link buildMlp}. */
export interface MlpOptions {
  /** Number of input features. Required. */
  readonly inputs: number;
  /** Units of each hidden ReLU layer. Defaults to `[10]` (the seed's 4-10-3 network). */
  readonly hidden?: readonly number[];
  /** Number of classes (logits). Required. */
  readonly outputs: number;
  /** Seed of the initialisation. Defaults to `'0'`. */
  readonly seed?: string;
}

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
  const widths = [options.inputs, ...(options.hidden ?? [10]), options.outputs];
  const rng = seedrandom.alea(`${options.seed ?? '0'}:init`);
  const uniform = (n: number, bound: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (2 * rng() - 1) * bound;
    return out;
  };
  const variables: tf.Variable[] = [];
  let parameters = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l] as number;
    const fanOut = widths[l + 1] as number;
    const bound = 1 / Math.sqrt(fanIn);
    const w = uniform(fanIn * fanOut, bound);
    const b = uniform(fanOut, bound);
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
