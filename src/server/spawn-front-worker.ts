import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../core/worker-thread.js';
import type { FromFront, FrontWorkerData } from './front-protocol.js';

/** How starting the front thread ended. */
export type FrontStart =
  | { readonly kind: 'listening'; readonly worker: Worker; readonly port: number }
  /** The public address could not be bound; `code` is e.g. `EADDRINUSE`. The thread has ended. */
  | { readonly kind: 'bind-failed'; readonly code: string }
  /** The thread did not start (load error, crash, timeout); it has been terminated. */
  | { readonly kind: 'failed'; readonly error: unknown };

/**
 * Starts the front thread (`front-worker`) with `data` and waits until it listens, fails to
 * bind, or fails — at most `timeoutMs`. Never rejects.
 *
 * The thread's module sits next to this one (see {@link startModuleWorker}).
 *
 * @example
 * const start = await spawnFrontWorker({ lossbandFront: true, host, port, upstreamPort, forwardTimeoutMs, initial }, 10_000);
 * if (start.kind === 'listening') start.worker.postMessage(update);
 */
export function spawnFrontWorker(data: FrontWorkerData, timeoutMs: number): Promise<FrontStart> {
  let worker: Worker;
  try {
    worker = createFrontWorker(data);
  } catch (error) {
    return Promise.resolve({ kind: 'failed', error });
  }
  return new Promise((resolve) => {
    const finish = (start: FrontStart): void => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (start.kind === 'listening') resolve(start);
      else void worker.terminate().then(() => resolve(start), () => resolve(start));
    };
    const onMessage = (message: FromFront): void => {
      if (message.type === 'listening') finish({ kind: 'listening', worker, port: message.port });
      else if (message.type === 'bind-failed') finish({ kind: 'bind-failed', code: message.code });
    };
    const onError = (error: unknown): void => finish({ kind: 'failed', error });
    const onExit = (code: number): void => finish({ kind: 'failed', error: new Error(`front thread exited with code ${code} before listening`) });
    const timer = setTimeout(() => finish({ kind: 'failed', error: new Error(`front thread did not listen within ${timeoutMs} ms`) }), timeoutMs);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

function createFrontWorker(data: FrontWorkerData): Worker {
  return startModuleWorker(import.meta.url, 'front-worker', { workerData: data });
}
