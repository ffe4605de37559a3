import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../../core/user-error.js';

/** The TensorFlow.js backends lossband knows, in order of preference. */
export const BACKENDS = ['node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

async function activate(name: BackendName): Promise<boolean> {
  try {
    if (name === 'node') {
      // Optional dependency: absent wherever libtensorflow could not be downloaded.
      const nodeBackend = '@tensorflow/tfjs-node';
      await import(nodeBackend);
      return await tf.setBackend('tensorflow');
    }
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const require = createRequire(import.meta.url);
      const dist =
        path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
      wasm.setWasmPaths(dist);
      return await tf.setBackend('wasm');
    }
    return await tf.setBackend('cpu');
  } catch {
    return false;
  }
}

/**
 * Selects and initialises a backend: the requested one, or the first of node → wasm → cpu
 * that loads. Also switches tfjs to production mode (no debug checks, no console banner).
 *
 * @example
 * const backend = await selectBackend();        // 'wasm' on a machine without tfjs-node
 * await selectBackend('cpu');                   // force the pure-JS backend
 */
export async function selectBackend(requested?: BackendName): Promise<BackendName> {
  tf.enableProdMode();
  const order = requested ? [requested] : BACKENDS;
  for (const name of order) {
    if (await activate(name)) return name;
  }
  throw new UserError(`--backend ${requested ?? 'auto'}: backend could not be initialised on this machine`);
}

/** Tensors alive in the active backend (`tf.memory().numTensors`), for leak monitoring. */
export function tensorCount(): number {
  return tf.memory().numTensors;
}
