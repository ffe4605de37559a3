import type { BackendName } from './tfjs/backend.js';

/** How epochs are computed: plain JavaScript (`js`) or a TensorFlow.js backend. */
export type Engine = 'js' | BackendName;

/** Every engine `--backend` accepts. */
export const ENGINES: readonly Engine[] = ['js', 'node', 'wasm', 'cpu'];

/**
 * Rows per optimiser step × trainable parameters up to which the plain-JS engine beats
 * TensorFlow.js. Small models are bound by tfjs's per-kernel dispatch (~5 µs × ~150 kernels
 * per Iris epoch). Measured in CPU time per epoch (JS / wasm, `draws` K, full batch; 2026-11-30,
 * loaded 2-core machine): wine 13-10-3 K = 16 (3.9·10⁵) 0.62; breast-cancer K = 4
 * (6.0·10⁵) 0.64, K = 8 (1.2·10⁶) 1.05; digits 64-4-10 K = 2 (8.9·10⁵) 0.50; 64-16-10 K = 1
 * (1.7·10⁶) 0.63. So the break-even lies at ≥ 1.2·10⁶ for narrow models; 10⁶ keeps a margin.
 * (It was 3·10⁵: with K counted at the budget's cap, that would move wine to wasm at 1.6 × the CPU.)
 */
export const JS_ENGINE_MAX_WORK = 1e6;

/** The per-step work of a model: rows per optimiser step × parameters. */
export function stepWork(options: {
  rows: number;
  draws: number;
  batchSize: number | null;
  widths: readonly number[];
}): number {
  const all = options.rows * options.draws;
  const rows = options.batchSize === null ? all : Math.min(options.batchSize, all);
  let parameters = 0;
  for (let l = 0; l + 1 < options.widths.length; l++) {
    parameters += ((options.widths[l] as number) + 1) * (options.widths[l + 1] as number);
  }
  return rows * parameters;
}

/**
 * Picks the engine: the requested one, else plain JS when the model is small enough to be
 * dispatch-bound in tfjs, else the first tfjs backend that loads (node → wasm → cpu).
 * TensorFlow.js is not even loaded when the JS engine is chosen.
 *
 * @example
 * await selectEngine(undefined, 120 * 83); // 'js' for the seed's Iris network
 * await selectEngine('wasm', 0);           // 'wasm'
 */
export async function selectEngine(requested: Engine | undefined, work: number): Promise<Engine> {
  if (requested === 'js' || (requested === undefined && work <= JS_ENGINE_MAX_WORK)) return 'js';
  const { selectBackend } = await import('./tfjs/backend.js');
  return selectBackend(requested);
}
