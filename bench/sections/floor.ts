import * as tf from '@tensorflow/tfjs';
import { workloadHidden, workloadSplit } from '../lib/data.js';
import { median } from '../lib/stats.js';
import { QUICK } from '../lib/settings.js';
import { fmt, type Row, type SectionResult } from '../lib/table.js';

/**
 * Matmul FLOPs of one full-batch epoch: forward (2·n·in·out per layer), backward (dW for every
 * layer, dX for every layer but the first, whose input is data: 2·n·in·out each), and the
 * validation forward pass. Bias, ReLU, softmax-CE and Adam are O(n·width) and left out
 * (≈ 1 % for the mid-size model).
 */
export function epochFlops(widths: readonly number[], trainRows: number, valRows: number): number {
  let flops = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const mac = (widths[l] as number) * (widths[l + 1] as number);
    flops += 2 * trainRows * mac; // forward
    flops += 2 * trainRows * mac; // dW
    if (l > 0) flops += 2 * trainRows * mac; // dX
    flops += 2 * valRows * mac; // validation forward
  }
  return flops;
}

/** Median FLOP/s of a 1024³ matMul on the active backend. */
export function matmulRate(n = 1024): number {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const times: number[] = [];
  for (let i = 0; i < (QUICK ? 4 : 9); i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    times.push(performance.now() - t0);
    c.dispose();
  }
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / (median(times.slice(2)) / 1000);
}

/**
 * Section 4: compute floor of a mid-size epoch = its matmul FLOPs ÷ the backend's 1024³ matMul
 * rate; each measured ms/epoch in `measured` (label → ms) is reported as a multiple of it.
 */
export function computeFloor(measured: Readonly<Record<string, number | undefined>>): SectionResult {
  const split = workloadSplit('mid');
  const widths = [split.train.features, ...workloadHidden('mid'), split.train.classNames.length];
  const flops = epochFlops(widths, split.train.rows, split.test.rows);
  const rate = matmulRate();
  const floorMs = (flops / rate) * 1000;
  const rows: Row[] = [
    {
      section: '4 floor',
      what: `mid epoch ${fmt(flops / 1e6, 0)} MFLOP ÷ 1024³ matMul ${fmt(rate / 1e9, 1)} GFLOP/s`,
      result: `${fmt(floorMs, 2)} ms`,
      note: `${tf.getBackend()}; fwd+dW+dX(l>1)+val fwd, ${split.train.rows}/${split.test.rows} rows`,
    },
  ];
  for (const [label, ms] of Object.entries(measured)) {
    if (ms === undefined) continue;
    rows.push({
      section: '4 floor',
      what: `${label} ÷ floor`,
      result: `${fmt(ms / floorMs, 2)}×`,
      target: label.startsWith('lossband') ? '≤ 2.5×' : '',
      ok: label.startsWith('lossband') ? ms / floorMs <= 2.5 : undefined,
      note: `${fmt(ms, 1)} ms/epoch`,
    });
  }
  return {
    rows,
    data: {
      flops,
      widths,
      trainRows: split.train.rows,
      valRows: split.test.rows,
      flopsPerSecond: rate,
      floorMs,
      measured,
    },
  };
}
