/**
 * Times each matMul of a mid-size epoch in the layout tfjs' gradients use (transposed
 * operands) and in explicitly pre-transposed layouts. Operands are fresh tensors every call
 * (as in training): the wasm backend caches XNNPACK's packed copy of the right-hand operand
 * per tensor, so reusing one tensor would hide the packing cost.
 * Usage: tsx bench/profile/matmul-shapes.ts [wasm|cpu]
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { median } from '../lib/stats.js';

const backend = await selectBackend((process.argv[2] as 'wasm' | 'cpu' | undefined) ?? undefined);
const N = 3276,
  D = 64,
  H = 256,
  C = 3;
const r = (...s: number[]) => tf.randomNormal(s);
const base = { x: r(N, D), dh: r(N, H), w2: r(H, C), dl: r(N, C), h: r(N, H), w1: r(D, H) };
let x = base.x,
  dh = base.dh,
  w2 = base.w2,
  dl = base.dl,
  h = base.h,
  w1 = base.w1;
const fresh = (): void => {
  // add(t, 0) gives new data (a new dataId), like a new epoch's activations and gradients.
  [x, dh, w2, dl, h, w1] = [base.x, base.dh, base.w2, base.dl, base.h, base.w1].map((t) => tf.add(t, 0)) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
};
const cases: Record<string, () => tf.Tensor> = {
  'fwd x·W1 [N,D]·[D,H]': () => tf.matMul(x, w1),
  'dW1 xᵀ·dh (transposeA)': () => tf.matMul(x, dh, true, false),
  'dW1 transpose(x)·dh': () => tf.matMul(tf.transpose(x), dh),
  'dW1 (dhᵀ·x)ᵀ': () => tf.transpose(tf.matMul(dh, x, true, false)),
  'dW1 transpose(transpose(dh)·x)': () => tf.transpose(tf.matMul(tf.transpose(dh), x)),
  'dW1 Σ 4 row-chunks transpose(x_i)·dh_i': () => {
    const xs = tf.split(x, 4, 0);
    const ds = tf.split(dh, 4, 0);
    return tf.addN(xs.map((xi, i) => tf.matMul(tf.transpose(xi), ds[i] as tf.Tensor)));
  },
  'dh dl·W2ᵀ (transposeB)': () => tf.matMul(dl, w2, false, true),
  'dh dl·transpose(W2)': () => tf.matMul(dl, tf.transpose(w2)),
  'dW2 hᵀ·dl (transposeA)': () => tf.matMul(h, dl, true, false),
  'dW2 transpose(h)·dl': () => tf.matMul(tf.transpose(h), dl),
  'dW2 (dlᵀ·h)ᵀ': () => tf.transpose(tf.matMul(dl, h, true, false)),
  'dW2 transpose(dl)·h then T': () => tf.transpose(tf.matMul(tf.transpose(dl), h)),
  'fwd h·W2 [N,H]·[H,C]': () => tf.matMul(h, w2),
};
for (const [name, fn] of Object.entries(cases)) {
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    fresh();
    const t0 = performance.now();
    const out = tf.tidy(fn);
    out.dataSync();
    times.push(performance.now() - t0);
    out.dispose();
    for (const t of [x, dh, w2, dl, h, w1]) t.dispose();
  }
  console.log(`${backend} ${median(times.slice(2)).toFixed(3).padStart(8)} ms  ${name}`);
}
