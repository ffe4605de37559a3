/**
 * Where lossband's per-epoch overhead over a bare tfjs loop comes from, layer by layer,
 * interleaved in one process: bare loop → TfjsPlant in a tight loop → train() stream with the
 * CLI's actuator (setImmediate between epochs) → the whole runSession.
 * Usage: tsx bench/profile/overhead-breakdown.ts [iris|mid] [epochs] [reps]
 */
import { selectBackend } from '../../src/engines/tfjs/backend.js';
import { TfjsPlant } from '../../src/engines/tfjs/tfjs-plant.js';
import { train } from '../../src/train/train.js';
import { createActuator } from '../../src/run/create-actuator.js';
import { interleave } from '../lib/alternate.js';
import { BareLoop } from '../lib/bare-loop.js';
import { resolveWorkload, workloadHidden, workloadSplit, type ModelName } from '../lib/data.js';
import { runLossband } from '../lib/session.js';
import { median } from '../lib/stats.js';

await selectBackend();
const model = (process.argv[2] ?? 'iris') as ModelName;
const epochs = Number(process.argv[3] ?? (model === 'iris' ? 2000 : 20));
const reps = Number(process.argv[4] ?? 5);
const split = workloadSplit(model);
const config = resolveWorkload(model);
const plantOf = (): TfjsPlant => new TfjsPlant({ split, hidden: workloadHidden(model), seed: '0' });

const variants: Record<string, () => Promise<number> | number> = {
  'bare loop': () => {
    const l = new BareLoop(split, workloadHidden(model));
    const ms = l.run(epochs);
    l.dispose();
    return ms;
  },
  'TfjsPlant tight loop': () => {
    const p = plantOf();
    const t0 = performance.now();
    for (let i = 0; i < epochs; i++) p.step({ sigma: 0.1, draws: 1 });
    p.dispose();
    return (performance.now() - t0) / epochs;
  },
  'TfjsPlant + CLI actuator, tight': () => {
    const p = plantOf();
    const a = createActuator(config);
    const t0 = performance.now();
    for (let i = 0; i < epochs; i++) a.observe(p.step(a.actuation));
    p.dispose();
    return (performance.now() - t0) / epochs;
  },
  'TfjsPlant + setImmediate': () =>
    new Promise<number>((resolve) => {
      const p = plantOf();
      let i = 0;
      const t0 = performance.now();
      const tick = (): void => {
        p.step({ sigma: 0.1, draws: 1 });
        if (++i < epochs) setImmediate(tick);
        else {
          p.dispose();
          resolve((performance.now() - t0) / epochs);
        }
      };
      setImmediate(tick);
    }),
  'TfjsPlant + setImmediate per ≥10 ms slice': () =>
    new Promise<number>((resolve) => {
      const p = plantOf();
      let i = 0;
      const t0 = performance.now();
      const tick = (): void => {
        const slice = performance.now();
        do p.step({ sigma: 0.1, draws: 1 });
        while (++i < epochs && performance.now() - slice < 10);
        if (i < epochs) setImmediate(tick);
        else {
          p.dispose();
          resolve((performance.now() - t0) / epochs);
        }
      };
      setImmediate(tick);
    }),
  'train() + CLI actuator': () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      train({ run: 'x', epochs, plant: plantOf, actuator: () => createActuator(config) }).subscribe({
        error: reject,
        complete: () => resolve((performance.now() - t0) / epochs),
      });
    }),
  runSession: async () => (await runLossband({ model, epochs })).msPerEpoch,
};
const names = Object.keys(variants);
const samples = await interleave(reps, Object.values(variants));
const base = median(samples[0] as number[]);
for (const [i, name] of names.entries()) {
  const m = median(samples[i] as number[]);
  console.log(`${model} ${name.padEnd(24)} ${m.toFixed(3)} ms/epoch  ${((m / base - 1) * 100).toFixed(1)} % over bare`);
}
