import * as tf from '@tensorflow/tfjs';

/**
 * Prototype for src/model/mlp.ts: a dense layer (x·W + b, optional ReLU) with a hand-written
 * backward pass that only multiplies plain (untransposed) operands. tfjs' stock matMul
 * gradient asks the wasm backend for `transposeA`/`transposeB` products, which take a slow
 * path there (xᵀ·dh of the 64→256 layer: ~45 ms, vs ~4 ms after an explicit transpose), and
 * its bias gradient `sum(dz, 0)` reduces across rows (slow on wasm; we sum rows of dzᵀ).
 * The wasm backend packs a product's right-hand operand for XNNPACK on every call with new
 * data, so dW keeps the narrower of x and dz on the right (bench/profile/matmul-shapes.ts). The forward pass stays one
 * fused kernel even while gradients are recorded (tfjs unfuses ReLU layers under a tape).
 *
 * `inputGrad: false` (the first layer, whose input is data) skips dx entirely.
 */
export function transposedDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, relu: boolean, inputGrad: boolean): tf.Tensor2D {
  const forward = (xIn: tf.Tensor2D, wIn: tf.Tensor2D, bIn: tf.Tensor1D): tf.Tensor2D => {
    const [n, k] = xIn.shape;
    const m = wIn.shape[1];
    const y = tf.engine().runKernel(
      '_FusedMatMul',
      { a: tf.reshape(xIn, [1, n, k]), b: tf.reshape(wIn, [1, k, m]), bias: bIn },
      { transposeA: false, transposeB: false, activation: relu ? 'relu' : 'linear' },
    ) as tf.Tensor3D;
    return tf.reshape(y, [n, m]);
  };
  const backward = (dy: tf.Tensor2D, xs: tf.Tensor2D, y: tf.Tensor2D): { dz: tf.Tensor2D; dw: tf.Tensor2D; db: tf.Tensor1D } => {
    const dz: tf.Tensor2D = relu ? tf.mul(dy, tf.step(y) as tf.Tensor2D) : dy;
    const dzT = tf.transpose(dz);
    // wasm packs a product's right-hand operand anew whenever it is new data (every epoch), so
    // keep the narrower of x and dz on the right: (dzᵀ·x)ᵀ for 64→256, xᵀ·dz for 256→3.
    const dw = (xs.shape[1] <= dz.shape[1] ? tf.transpose(tf.matMul(dzT, xs)) : tf.matMul(tf.transpose(xs), dz)) as tf.Tensor2D;
    // Row sums of dzᵀ reduce along the contiguous axis (sum(dz, 0) is ~5× slower on wasm).
    const db = tf.sum(dzT, 1) as tf.Tensor1D;
    return { dz, dw, db };
  };
  type Arg = tf.Tensor | tf.GradSaveFunc;
  if (!inputGrad) {
    const f = tf.customGrad((...args: Arg[]) => {
      const [wIn, bIn, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
      const y = forward(x, wIn, bIn);
      save([y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
          const { dw, db } = backward(dy, x, saved[0] as tf.Tensor2D);
          return [dw, db];
        },
      };
    });
    return f(w, b);
  }
  const f = tf.customGrad((...args: Arg[]) => {
    const [xIn, wIn, bIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y = forward(xIn, wIn, bIn);
    save([xIn, wIn, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const { dz, dw, db } = backward(dy, xs, ys);
        return [tf.matMul(dz, tf.transpose(ws)), dw, db];
      },
    };
  });
  return f(x, w, b);
}
