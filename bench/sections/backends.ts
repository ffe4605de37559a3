import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../../src/engines/tfjs/backend.js';
import { TfjsPlant } from '../../src/engines/tfjs/tfjs-plant.js';
import { JsPlant } from '../../src/engines/js/js-plant.js';
import { selectEngine, stepWork, type Engine } from '../../src/engines/select-engine.js';
import { interleave } from '../lib/alternate.js';
import { workloadHidden, workloadSplit, type ModelName } from '../lib/data.js';
import { median } from '../lib/stats.js';
import { QUICK, REPS } from '../lib/settings.js';
import { fmt, type Row, type SectionResult } from '../lib/table.js';

const EPOCHS: Record<ModelName, Record<Engine, number>> = {
  iris: { js: QUICK ? 400 : 2000, wasm: QUICK ? 100 : 400, cpu: QUICK ? 100 : 400, node: 400 },
  mid: { js: QUICK ? 1 : 3, wasm: QUICK ? 2 : 8, cpu: QUICK ? 1 : 3, node: 8 },
};

/** ms/epoch of lossband's own plant for `engine` (after 2 warm-up epochs). */
function plantMsPerEpoch(
  model: ModelName,
  epochs: number,
  split: ReturnType<typeof workloadSplit>,
  engine: Engine,
): number {
  const Plant = engine === 'js' ? JsPlant : TfjsPlant;
  const plant = new Plant({ split, hidden: workloadHidden(model), seed: '0' });
  try {
    for (let i = 0; i < 2; i++) plant.step({ sigma: 0.1, draws: 1 });
    const t0 = performance.now();
    for (let i = 0; i < epochs; i++) plant.step({ sigma: 0.1, draws: 1 });
    return (performance.now() - t0) / epochs;
  } finally {
    plant.dispose();
  }
}

/** Whether tfjs-node loads here, and why not. */
async function nodeBackendStatus(): Promise<string | undefined> {
  try {
    await import('@tensorflow/tfjs-node' as string);
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

/**
 * Section 3: TfjsPlant ms/epoch on every backend that loads, backends interleaved per
 * repetition, and whether `selectBackend()` (auto) picks the fastest. `autoPick` is what
 * selectBackend() returned at the start of the bench process.
 */
export async function backends(autoPick: BackendName): Promise<SectionResult> {
  const nodeError = await nodeBackendStatus();
  const available: Engine[] = nodeError === undefined ? ['js', 'node', 'wasm', 'cpu'] : ['js', 'wasm', 'cpu'];
  const rows: Row[] = [];
  const data: Record<string, unknown> = { autoPick, node: nodeError ?? 'loaded' };
  const fastest: Record<string, Engine> = {};
  const picked: Record<string, Engine> = {};
  for (const model of ['iris', 'mid'] as const) {
    const split = workloadSplit(model);
    const work = stepWork({
      rows: split.train.rows,
      draws: 1,
      batchSize: null,
      widths: [split.train.features, ...workloadHidden(model), split.train.classNames.length],
    });
    picked[model] = await selectEngine(undefined, work);
    const samples = await interleave(
      REPS,
      available.map((b) => async () => {
        if (b !== 'js') await selectBackend(b);
        return plantMsPerEpoch(model, EPOCHS[model][b], split, b);
      }),
    );
    const medians = available.map((b, i) => [b, median(samples[i] as number[])] as const);
    const best = [...medians].sort((a, b) => a[1] - b[1])[0] as readonly [Engine, number];
    fastest[model] = best[0];
    data[model] = Object.fromEntries(available.map((b, i) => [b, samples[i]]));
    for (const [b, ms] of medians) {
      rows.push({
        section: '3 backends',
        what: `${model === 'iris' ? 'Iris' : 'mid'} ${b === 'js' ? 'JsPlant (js engine)' : `TfjsPlant on ${b}`}`,
        result: `${fmt(ms, 3)} ms/epoch`,
        note: b === best[0] ? 'fastest' : `${fmt(ms / best[1], 2)}× the fastest`,
      });
    }
    if (nodeError !== undefined)
      rows.push({
        section: '3 backends',
        what: `${model === 'iris' ? 'Iris' : 'mid'} on node`,
        result: 'not installable',
        note: nodeError.slice(0, 70),
      });
  }
  await selectBackend(autoPick);
  const ok = (['iris', 'mid'] as const).every((m) => picked[m] === fastest[m]);
  rows.push({
    section: '3 backends',
    what: 'automatic engine choice (selectEngine)',
    result: `Iris ${picked.iris}, mid ${picked.mid}`,
    target: 'fastest available',
    ok,
    note: `fastest: Iris ${fastest.iris}, mid ${fastest.mid}; tfjs backends alone: ${autoPick}`,
  });
  data.fastest = fastest;
  data.picked = picked;
  return { rows, data: { ...data, backend: tf.getBackend() } };
}
