import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../core/worker-thread.js';
import type { FromServer, ServerWorkerData } from './server-protocol.js';

/** How starting the server thread ended. */
export type ServerThreadStart =
  | { readonly kind: 'listening'; readonly worker: Worker; readonly port: number }
  /** The public address could not be bound; `code` is e.g. `EADDRINUSE`. The thread has ended. */
  | { readonly kind: 'bind-failed'; readonly code: string }
  /** The thread did not start (load error, crash, timeout); it has been terminated. */
  | { readonly kind: 'failed'; readonly error: unknown };

/**
 * Starts the server thread (`server-worker`) with `data` and waits until it listens, fails
 * to bind, or fails — at most `timeoutMs`. Never rejects.
 *
 * The thread's module sits next to this one (see {@link startModuleWorker}).
 *
 * @example
 * const start = await spawnServerWorker({ lossbandServer: true, host, port, state, token, advertise, dispatchTimeoutMs, timeouts }, 10_000);
 * if (start.kind === 'listening') start.worker.postMessage({ type: 'state', state });
 */
export function spawnServerWorker(data: ServerWorkerData, timeoutMs: number): Promise<ServerThreadStart> {
  let worker: Worker;
  try {
    worker = startModuleWorker(import.meta.url, 'server-worker', { workerData: data });
  } catch (error) {
    return Promise.resolve({ kind: 'failed', error });
  }
  return new Promise((resolve) => {
    const finish = (start: ServerThreadStart): void => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (start.kind === 'listening') resolve(start);
      else
        void worker.terminate().then(
          () => resolve(start),
          () => resolve(start),
        );
    };
    const onMessage = (message: FromServer): void => {
      if (message.type === 'listening') finish({ kind: 'listening', worker, port: message.port });
      else if (message.type === 'bind-failed') finish({ kind: 'bind-failed', code: message.code });
    };
    const onError = (error: unknown): void => finish({ kind: 'failed', error });
    const onExit = (code: number): void =>
      finish({ kind: 'failed', error: new Error(`server thread exited with code ${code} before listening`) });
    const timer = setTimeout(
      () => finish({ kind: 'failed', error: new Error(`server thread did not listen within ${timeoutMs} ms`) }),
      timeoutMs,
    );
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}
