import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { alternate } from '../lib/alternate.js';
import type { ModelName } from '../lib/data.js';
import { cliRun } from '../lib/cli-run.js';
import { describeWiring, type Wiring } from '../lib/session.js';
import { EPOCHS, REPS } from '../lib/settings.js';
import { fmt, type SectionResult } from '../lib/table.js';

const TARGET: Record<ModelName, number> = { iris: 0.1, mid: 0.03 };
const ROOT = path.resolve(import.meta.dirname, '../..');

/** One bare-loop run in a fresh process (bench/lib/child-run.ts). */
function child(kind: 'bare', model: ModelName, epochs: number): { msPerEpoch: number; wiring?: Wiring } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/lib/child-run.ts'), kind, model, String(epochs)],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`child-run ${kind} ${model} exited ${r.status}: ${r.stderr.slice(-300)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { msPerEpoch: number; wiring?: Wiring };
}

/**
 * Section 1: the whole `lossband run` composition (in-process `runSession`: stream, controller,
 * events, metrics server, checkpoints — whatever is wired) against {@link BareLoop} doing the
 * same epochs, alternated; each run in a fresh process: lossband is the shipped CLI
 * (`node bin/lossband.js run`, needs `npm run build`), the bare loop runs under tsx. In-process
 * runs are not used here: each leaves prom-client's default collectors behind, which tax every
 * later run's event-loop turns (and tsx-loaded src measured ~25 % slower than dist/).
 * Overhead = median of per-pair ratios − 1.
 */
export async function overhead(): Promise<SectionResult> {
  const rows = [];
  const data: Record<string, unknown> = {};
  for (const model of ['iris', 'mid'] as const) {
    const epochs = EPOCHS[model];
    let wiring: Wiring | undefined;
    const ab = await alternate(
      REPS,
      async () => {
        // Same backend as the bare loop: the difference is the framework around the epoch.
        const r = await cliRun(model, epochs, tf.getBackend());
        wiring = r.wiring;
        return r.msPerEpoch;
      },
      () => child('bare', model, epochs).msPerEpoch,
    );
    const over = ab.ratio - 1;
    data[model] = {
      epochs,
      reps: REPS,
      lossbandMsPerEpoch: ab.a,
      bareMsPerEpoch: ab.b,
      overhead: over,
      wiring,
      backend: tf.getBackend(),
    };
    rows.push({
      section: '1 overhead',
      what: `${model === 'iris' ? 'Iris 4-10-3' : 'mid 64-256-3'}, ${epochs} ep: lossband vs bare tfjs`,
      result: `${fmt(over * 100, 1)} %`,
      target: `≤ ${TARGET[model] * 100} %`,
      ok: over <= TARGET[model],
      note: `${fmt(ab.medianA, 3)} vs ${fmt(ab.medianB, 3)} ms/epoch; wired: ${wiring ? describeWiring(wiring) : '?'}`,
    });
  }
  // The product's automatic engine for the seed's network: plain JS instead of tfjs kernels.
  const epochs = EPOCHS.iris;
  const auto = await alternate(
    REPS,
    async () => (await cliRun('iris', epochs)).msPerEpoch,
    () => child('bare', 'iris', epochs).msPerEpoch,
  );
  data.irisAutoEngine = { epochs, lossbandMsPerEpoch: auto.a, bareMsPerEpoch: auto.b };
  rows.push({
    section: '1 overhead',
    what: `Iris 4-10-3, ${epochs} ep: lossband (auto engine: js) vs bare tfjs`,
    result: `${fmt(1 / auto.ratio, 1)}× faster`,
    target: '≤ 10 % slower',
    ok: auto.ratio <= 1 + TARGET.iris,
    note: `${fmt(auto.medianA, 3)} vs ${fmt(auto.medianB, 3)} ms/epoch; the whole loop, framework included`,
  });
  return { rows, data };
}
