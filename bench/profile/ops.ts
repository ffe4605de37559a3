/**
 * Per-kernel time of one lossband epoch (TfjsPlant.step) via tf.profile: where a mid-size
 * and an Iris epoch spend their time.
 * Usage: tsx bench/profile/ops.ts [wasm|cpu] [iris|mid] [plant|stock|transposed]
 * (`stock`/`transposed`: the bench's bare loop with stock or transposed-gradient dense layers).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { TfjsPlant } from '../../src/engines/tfjs/tfjs-plant.js';
import { BareLoop } from '../lib/bare-loop.js';
import { workloadHidden, workloadSplit, type ModelName } from '../lib/data.js';

const backend = await selectBackend((process.argv[2] as 'wasm' | 'cpu' | undefined) ?? undefined);
const model = (process.argv[3] as ModelName | undefined) ?? 'mid';
const variant = process.argv[4] ?? 'plant';
const plant =
  variant === 'plant'
    ? new TfjsPlant({ split: workloadSplit(model), hidden: workloadHidden(model), seed: '0' })
    : new BareLoop(workloadSplit(model), workloadHidden(model), '0', variant === 'transposed' ? 'transposed' : 'stock');
const step = (): void => {
  if (plant instanceof TfjsPlant) plant.step({ sigma: 0.1, draws: 1 });
  else plant.step(0.1);
};
for (let i = 0; i < (model === 'mid' ? 3 : 200); i++) step();
const reps = model === 'mid' ? 5 : 200;
const totals = new Map<string, { ms: number; n: number; shapes: string }>();
let wall = 0;
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  const info = await tf.profile(step);
  wall += performance.now() - t0;
  for (const k of info.kernels) {
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const t = totals.get(key) ?? { ms: 0, n: 0, shapes: JSON.stringify(k.outputShapes) };
    t.ms += k.kernelTimeMs as number;
    t.n += 1;
    totals.set(key, t);
  }
}
const rows = [...totals.entries()].filter(([k]) => !k.includes('__op')).sort((a, b) => b[1].ms - a[1].ms);
const sum = rows.reduce((s, [, t]) => s + t.ms, 0);
console.log(
  `${backend} ${model} ${variant}: wall ${(wall / reps).toFixed(3)} ms/epoch (profiled), kernels ${(sum / reps).toFixed(3)} ms/epoch, ${rows.length} kernel kinds`,
);
for (const [key, t] of rows.slice(0, 25)) {
  console.log(`${(t.ms / reps).toFixed(3).padStart(9)} ms  ×${(t.n / reps).toFixed(0)}  ${key} → ${t.shapes}`);
}
plant.dispose();
