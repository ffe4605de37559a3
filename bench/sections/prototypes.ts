import { alternate } from '../lib/alternate.js';
import { BareLoop, type DenseKind } from '../lib/bare-loop.js';
import { workloadHidden, workloadSplit, type ModelName } from '../lib/data.js';
import { TfjsPlant } from '../../src/engines/tfjs/tfjs-plant.js';
import { EPOCHS, REPS } from '../lib/settings.js';
import { fmt, type Row, type SectionResult } from '../lib/table.js';

/**
 * Section 7: optimisation prototypes for src/, each A/B against the stock code path in this
 * process: transposed-gradient dense layers (now src/model/dense.ts) in the bare loop, and
 * yielding after every epoch vs after 10 ms slices. (The plain-JS engine and the ziggurat
 * sampler began here too; they are in src/ now and measured in sections 2 and 3.)
 */
export async function prototypes(): Promise<SectionResult> {
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  for (const model of ['iris', 'mid'] as ModelName[]) {
    const split = workloadSplit(model);
    const epochs = model === 'iris' ? EPOCHS.iris : Math.max(4, Math.round(EPOCHS.mid / 3));
    const run = (kind: DenseKind) => (): number => {
      const loop = new BareLoop(split, workloadHidden(model), '0', kind);
      try {
        loop.step(0.1);
        return loop.run(epochs);
      } finally {
        loop.dispose();
      }
    };
    const ab = await alternate(REPS, run('stock'), run('transposed'));
    data[model] = { epochs, stockMsPerEpoch: ab.a, transposedMsPerEpoch: ab.b };
    rows.push({
      section: '7 prototypes',
      what: `${model === 'iris' ? 'Iris' : 'mid'}: transposed-gradient dense layers (bare loop)`,
      result: `${fmt(ab.ratio, 2)}× faster`,
      note: `${fmt(ab.medianA, 3)} → ${fmt(ab.medianB, 3)} ms/epoch; src/model/dense.ts`,
    });
  }
  const split = workloadSplit('iris');
  // Yielding to the event loop after every epoch (train.ts) vs after ≥ 10 ms of epochs.
  const yielding = (sliceMs: number) => (): Promise<number> =>
    new Promise((resolve) => {
      const plant = new TfjsPlant({ split, hidden: workloadHidden('iris'), seed: '0' });
      let i = 0;
      const t0 = performance.now();
      const tick = (): void => {
        const slice = performance.now();
        do plant.step({ sigma: 0.1, draws: 1 });
        while (++i < EPOCHS.iris && performance.now() - slice < sliceMs);
        if (i < EPOCHS.iris) setImmediate(tick);
        else {
          plant.dispose();
          resolve((performance.now() - t0) / EPOCHS.iris);
        }
      };
      setImmediate(tick);
    });
  const ys = await alternate(REPS, yielding(0), yielding(10));
  data.yieldSlice = { epochs: EPOCHS.iris, everyEpochMs: ys.a, slice10msMs: ys.b };
  rows.push({
    section: '7 prototypes',
    what: 'Iris: setImmediate after every epoch vs after ≥ 10 ms slices',
    result: `${fmt((ys.ratio - 1) * 100, 1)} % saved`,
    note: `${fmt(ys.medianA, 3)} → ${fmt(ys.medianB, 3)} ms/epoch (TfjsPlant); train.ts yields every epoch`,
  });
  return { rows, data };
}
