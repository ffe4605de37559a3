import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { startModuleWorker } from '../core/worker-thread.js';
import type { MetricsJson } from '../run/remote-runs-registry.js';
import type { FromPointWorker, PointCommand, PointResult, PostedRun, ToPointWorker } from './sweep-protocol.js';

/** Options of {@link PointThread}. */
export interface PointThreadOptions {
  /** Receives each run view the thread posts. Required. */
  readonly onRuns: (runs: readonly PostedRun[]) => void;
  /** Operational log (a lost thread). Required. */
  readonly log: Logger;
  /** Starts the thread; tests pass their own. Defaults to `startModuleWorker` of `point-worker`. */
  readonly start?: (() => Worker) | undefined;
}

/** How long `close()` waits for the thread to post its last state and end, in ms. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * The sweep's handle on one worker thread that trains points one at a time. {@link run}
 * hands it a point and resolves when the point is over, whatever happened: a run that
 * threw, or a thread that died (its point fails, and the next {@link run} starts a new
 * thread). {@link metrics} is the thread's last posted run series, served by the main
 * thread's `/metrics`.
 *
 * @example
 * const thread = new PointThread({ onRuns: (runs) => …, log });
 * const result = await thread.run(config, false);
 * await thread.close();
 */
export class PointThread {
  private worker: Worker | undefined;
  private posted: MetricsJson | undefined;
  private pending: { run: string; resolve: (result: PointResult) => void } | undefined;
  private exited: Promise<void> = Promise.resolve();
  private nextId = 0;
  private readonly awaiting = new Map<number, (applied: boolean) => void>();

  constructor(private readonly o: PointThreadOptions) {}

  /** The run series the thread posted last; none once it has ended. */
  get metrics(): MetricsJson | undefined {
    return this.posted;
  }

  /** Trains one point (`config.out` is its run directory) and resolves with how it ended; never rejects. */
  run(config: ResolvedConfig, resume: boolean): Promise<PointResult> {
    if (this.pending) throw new Error(`PointThread.run: ${this.pending.run} is still running`);
    return new Promise((resolve) => {
      this.pending = { run: config.name, resolve };
      try {
        this.post({ type: 'run', config, resume });
      } catch (err) {
        this.settle({
          kind: 'threw',
          message: `the sweep's worker thread did not start: ${(err as Error).message}`,
          exitCode: undefined,
        });
      }
    });
  }

  /**
   * Forwards a control request to the run `run` on this thread. Resolves once the thread has
   * applied it (a band: persisted), with `false` if the run had ended or the thread is gone.
   */
  command(run: string, command: PointCommand): Promise<boolean> {
    const worker = this.worker;
    if (!worker) return Promise.resolve(false);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.awaiting.set(id, resolve);
      worker.postMessage({ type: 'command', id, run, ...command } satisfies ToPointWorker);
    });
  }

  /** Asks the thread to post its last state and end; terminates it if it does not in time. Never rejects. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    worker.postMessage({ type: 'close' } satisfies ToPointWorker);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_TIMEOUT_MS)));
    if ((await Promise.race([this.exited, late])) === 'late') await worker.terminate();
    clearTimeout(timer);
  }

  private post(message: ToPointWorker): void {
    (this.worker ?? this.spawn()).postMessage(message);
  }

  private spawn(): Worker {
    const worker = this.o.start?.() ?? startModuleWorker(import.meta.url, 'point-worker');
    this.worker = worker;
    let failure: Error | undefined;
    worker.on('message', (message: FromPointWorker) => {
      if (message.type === 'update') {
        this.posted = message.metrics;
        this.o.onRuns(message.runs);
      } else if (message.type === 'applied') {
        this.awaiting.get(message.id)?.(message.applied);
        this.awaiting.delete(message.id);
      } else if (message.type === 'done' && this.pending?.run === message.run) {
        this.settle(message.result);
      }
    });
    worker.on('error', (err) => {
      failure = err;
      this.o.log.error({ err }, "a sweep's worker thread failed");
    });
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        if (this.worker === worker) {
          this.worker = undefined;
          this.posted = undefined;
        }
        for (const resolveCommand of this.awaiting.values()) resolveCommand(false);
        this.awaiting.clear();
        const why = failure ? failure.message : `exit code ${code}`;
        this.settle({ kind: 'threw', message: `the worker thread training it ended (${why})`, exitCode: undefined });
        resolve();
      }),
    );
    return worker;
  }

  private settle(result: PointResult): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(result);
  }
}
