import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker module `name` that sits next to the calling module `base`
 * (`import.meta.url`): `name.js` when running from `dist/`. Run from source (vitest, tsx),
 * the caller is a `.ts` file and Node 20 cannot load TypeScript in a worker by itself (nor do
 * `--import tsx` hooks reach workers), so a plain-JS bootstrap loads `name.ts` through tsx's
 * `require` API (a devDependency; the built package never takes this path).
 *
 * @example
 * const worker = startModuleWorker(import.meta.url, 'noise-worker', { workerData: {} });
 */
export function startModuleWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  // `execArgv: []`: flags of the main process (--cpu-prof, --import tsx, inspector) are not the thread's.
  const opts = { execArgv: [], ...options };
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, base), opts);
  const tsx = createRequire(base).resolve('tsx/cjs/api');
  const entry = fileURLToPath(new URL(`./${name}.ts`, base));
  const boot = `require(${JSON.stringify(tsx)}).require(${JSON.stringify(entry)}, ${JSON.stringify(entry)});`;
  return new Worker(boot, { ...opts, eval: true });
}
