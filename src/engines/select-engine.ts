import type { BackendName } from './tfjs/backend.js';

/** How epochs are computed: plain JavaScript (`js`) or a TensorFlow.js backend. */
export type Engine = 'js' | BackendName;

/** Every engine `--backend` accepts. */
export const ENGINES: readonly Engine[] = ['js', 'node', 'wasm', 'cpu'];

/**
 * Rows per optimiser step × trainable parameters up to which the plain-JS engine beats
 * TensorFlow.js. Small models are bound by tfjs's per-kernel dispatch (~5 µs × ~150 kernels
 * per Iris epoch); the measured break-even on this class of machine lies between 2.5·10⁵ and
 * 6·10⁵ (bench: Iris 4-10-3 is 12–18× faster in JS, the 64→256→3 model 5× slower).
 */
export const JS_ENGINE_MAX_WORK = 3e5;

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
