import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../core/worker-thread.js';
import type { ReportSpecOptions } from './report-spec.js';

/** Main → report thread: write `dir`/report.svg. */
export interface ToReportThread {
  readonly id: number;
  readonly dir: string;
  readonly options?: ReportSpecOptions;
}

/** Report thread → main: the file written, or why not. */
export type FromReportThread =
  | { readonly type: 'rendered'; readonly id: number; readonly file: string }
  | { readonly type: 'rendered'; readonly id: number; readonly error: string };

/** A thread that writes `report.svg` files; see {@link startReportThread}. */
export interface ReportThread {
  /** Writes `dir`/report.svg (as `writeReport`); resolves with its path, rejects with the renderer's error. */
  render(dir: string, options?: ReportSpecOptions): Promise<string>;
  /** Ends the thread; pending renders reject. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a thread that loads the report renderer (vega, a few hundred ms of CPU) at once, so
 * that when a run ends its `report.svg` costs only the drawing, and neither the loading nor
 * the drawing runs on the training thread. Start it when training starts; `render` when it
 * ends. If the thread cannot start or dies, `render` draws in this thread instead. The
 * thread does not keep the process alive, except while a render is in hand.
 *
 * @example
 * const reports = startReportThread();
 * // … train …
 * await reports.render(runDir);
 * await reports.close();
 */
export function startReportThread(): ReportThread {
  let worker: Worker | undefined;
  try {
    worker = startModuleWorker(import.meta.url, 'report-worker', { workerData: { lossbandReport: true } });
  } catch {
    worker = undefined;
  }
  const inThisThread = async (dir: string, options?: ReportSpecOptions): Promise<string> => {
    const { writeReport } = await import('./render-report.js');
    return writeReport(dir, options);
  };
  interface Pending {
    readonly resolve: (file: string | Promise<string>) => void;
    readonly reject: (err: Error) => void;
    readonly dir: string;
    readonly options: ReportSpecOptions | undefined;
  }
  let nextId = 0;
  const pending = new Map<number, Pending>();
  /** The thread died: what it had in hand is drawn here instead. */
  const takeOver = (): void => {
    worker = undefined;
    for (const p of pending.values()) p.resolve(inThisThread(p.dir, p.options));
    pending.clear();
  };
  worker?.on('message', (reply: FromReportThread) => {
    const p = pending.get(reply.id);
    if (p === undefined) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.file);
  });
  worker?.on('error', takeOver);
  worker?.on('exit', takeOver);
  worker?.unref(); // after the listeners: adding one refs the thread again

  return {
    render(dir, options) {
      const thread = worker;
      if (thread === undefined) return inThisThread(dir, options);
      const id = ++nextId;
      const settled = (): void => {
        if (pending.size === 0) worker?.unref();
      };
      return new Promise<string>((resolve, reject) => {
        const done = (file: string | Promise<string>): void => {
          resolve(file);
          settled();
        };
        const fail = (err: Error): void => {
          reject(err);
          settled();
        };
        pending.set(id, { resolve: done, reject: fail, dir, options });
        thread.ref(); // keep the process alive until the answer comes
        const message: ToReportThread = options === undefined ? { id, dir } : { id, dir, options };
        thread.postMessage(message);
      });
    },
    async close() {
      const thread = worker;
      worker = undefined;
      for (const p of pending.values()) p.reject(new Error('the report thread was closed'));
      pending.clear();
      if (thread !== undefined) await thread.terminate();
    },
  };
}
