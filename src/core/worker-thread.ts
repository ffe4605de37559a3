import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker module `name` that sits next to the calling module `base`
 * (`import.meta.url`): `name.js` when running from `dist/`. Run from source (vitest, tsx),
 * the caller is a `.ts` file and Node 20 cannot load TypeScript in a worker by itself (nor do
 * `--import tsx` hooks reach workers), so a plain-JS bootstrap registers tsx's ESM hooks in
 * the thread and then imports `name.ts`; the module's own dynamic imports go through them
 * too (tsx is a devDependency; the built package never takes this path).
 *
 * @example
 * const worker = startModuleWorker(import.meta.url, 'noise-worker', { workerData: {} });
 */
export function startModuleWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  // `execArgv: []`: flags of the main process (--cpu-prof, --import tsx, inspector) are not the thread's.
  const opts = { execArgv: [], ...options };
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, base), opts);
  // `require.resolve` answers with the CommonJS build of the API; its ES module build sits beside it.
  const api = pathToFileURL(
    createRequire(base)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL(`./${name}.ts`, base).href;
  const boot = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...opts, eval: true });
}
