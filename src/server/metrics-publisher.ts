import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ErrorCounter } from '../metrics/internal-component.js';
import type { RunControl } from './run-control.js';
import { INITIAL_STATE, type MetricsSnapshot, type RunSnapshot, type ServerState } from './server-state.js';

/** Options of {@link MetricsPublisher}. */
export interface MetricsPublisherOptions {
  /** Registry rendered into each snapshot. Required. */
  readonly registry: Registry;
  /** Receives every snapshot; must not throw (a throw is counted like a failed render). Required. */
  readonly post: (state: ServerState) => void;
  /** The runs whose views and last events each snapshot carries. Defaults to none. */
  readonly runs?: (() => readonly RunControl[]) | undefined;
  /** Whether training has started, sent with every snapshot. Defaults to always ready. */
  readonly isReady?: (() => boolean) | undefined;
  /** Least time between two snapshots that {@link MetricsPublisher.publishIfDue} starts, in ms. Defaults to 250. */
  readonly intervalMs?: number | undefined;
  /** How long one `registry.metrics()` may take before it counts as failed, in ms. Defaults to 2000. */
  readonly timeoutMs?: number | undefined;
  /** Where failures are counted (`metrics` for renders and posts, `api` for run handles). Defaults to not counting. */
  readonly errors?: ErrorCounter | undefined;
  /** Logger for the first failure of a streak. Defaults to no logging. */
  readonly log?: Pick<Logger, 'error'> | undefined;
  /** Monotonic clock in ms. Defaults to `performance.now`. */
  readonly now?: (() => number) | undefined;
  /**
   * Runs `tick` every `ms` until the returned function is called. Defaults to an unref'd
   * `setInterval`; tests pass a manual one.
   */
  readonly every?: ((ms: number, tick: () => void) => () => void) | undefined;
}

const unrefInterval = (ms: number, tick: () => void): (() => void) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * Publishes {@link ServerState} snapshots — readiness, the registry's text, each run's view
 * and last event — so the server answers every read without the main thread, on whichever
 * thread it runs. Monitor → decide → act: `publishIfDue(now)` (after an epoch) and a timer
 * (while no epochs come, e.g. paused) decide; one render at a time acts.
 *
 * - At most one `registry.metrics()` is in flight; a call while one runs is skipped.
 * - `publishIfDue` starts one when `intervalMs` has passed since the last start; the timer
 *   ticks every `intervalMs` and starts one unless another started in the last half interval.
 *   On a busy main thread the timer fires between epochs, so snapshots stay ≤ one interval
 *   plus one epoch old even when nobody calls `publishIfDue`.
 * - `publishRuns()` posts fresh runs and readiness at once with the last metrics, without a
 *   render: after a control command, so a read after the answer sees the change. A change
 *   of readiness does the same by itself.
 * - Every snapshot has a `version` one above the last one posted.
 * - A failed or timed-out render is counted (`metrics`), logged once per streak and posted as
 *   `metrics: null`; a run handle that throws is counted (`api`), logged once per streak, and
 *   the previous runs are kept. Nothing is thrown.
 *
 * ```
 * epochs:        -e----e----e----e-----------------   (paused from here)
 * publishIfDue:  -p----s----p----s-----------------   p = publishes, s = skipped (too soon)
 * timer:         ---------t---------t----t----t----   publishes unless one just started
 * ```
 *
 * @example
 * const publisher = new MetricsPublisher({ registry, runs: () => [run], post: (s) => worker.postMessage(s) });
 * await publisher.flush(); // the first snapshot
 * publisher.start();
 * // after each epoch: publisher.publishIfDue(performance.now());
 * publisher.stop(); await publisher.flush(); // the final state
 */
export class MetricsPublisher {
  private readonly o: MetricsPublisherOptions;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private lastStart = -Infinity;
  private inFlight: Promise<void> | undefined;
  private failing = { metrics: false, runs: false };
  private cancelTimer: (() => void) | undefined;
  private last: ServerState = INITIAL_STATE;

  constructor(options: MetricsPublisherOptions) {
    const { intervalMs = 250, timeoutMs = 2000 } = options;
    if (!(intervalMs > 0)) throw new RangeError(`Invalid intervalMs: ${intervalMs} (expected > 0)`);
    if (!(timeoutMs > 0)) throw new RangeError(`Invalid timeoutMs: ${timeoutMs} (expected > 0)`);
    this.o = options;
    this.intervalMs = intervalMs;
    this.now = options.now ?? (() => performance.now());
  }

  /** The last snapshot posted ({@link INITIAL_STATE} before the first): what the server serves now. */
  get latest(): ServerState {
    return this.last;
  }

  /** Starts the idle timer. Idempotent. */
  start(): void {
    this.cancelTimer ??= (this.o.every ?? unrefInterval)(this.intervalMs, () => this.tick(this.now()));
  }

  /** Stops the idle timer; a render in flight still posts. `flush()` still works. Idempotent. */
  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /**
   * Posts a readiness change at once, and starts a render unless one is in flight or one
   * started less than `intervalMs` before `nowMs`. Returns whether it started one. Cheap
   * enough to call after every epoch.
   */
  publishIfDue(nowMs: number): boolean {
    this.syncReady();
    if (this.inFlight !== undefined || nowMs - this.lastStart < this.intervalMs) return false;
    this.begin(nowMs);
    return true;
  }

  /** Posts readiness and the runs as they are now, with the last metrics. Synchronous and cheap: no render. */
  publishRuns(): void {
    this.send(this.last.metrics);
  }

  /** Waits for a render in flight, then renders and posts one more. Never rejects. */
  async flush(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
    await this.begin(this.now());
  }

  private tick(nowMs: number): void {
    this.syncReady();
    if (this.inFlight === undefined && nowMs - this.lastStart >= this.intervalMs / 2) this.begin(nowMs);
  }

  private begin(nowMs: number): Promise<void> {
    this.lastStart = nowMs;
    const run = this.render().finally(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }

  private async render(): Promise<void> {
    const { registry, timeoutMs = 2000 } = this.o;
    let metrics: MetricsSnapshot | null;
    try {
      metrics = { text: await withTimeout(registry.metrics(), timeoutMs), contentType: registry.contentType };
      this.failing.metrics = false;
    } catch (err) {
      this.fail('metrics', err, 'rendering the metrics snapshot failed; /metrics answers 500 until one succeeds');
      metrics = null;
    }
    this.send(metrics);
  }

  private syncReady(): void {
    if (this.ready() !== this.last.ready) this.publishRuns();
  }

  private send(metrics: MetricsSnapshot | null | undefined): void {
    const state: ServerState = {
      version: this.last.version + 1,
      ready: this.ready(),
      metrics,
      runs: this.collectRuns(),
    };
    try {
      this.o.post(state);
      this.last = state;
    } catch (err) {
      this.fail('metrics', err, 'posting the metrics snapshot failed');
    }
  }

  private collectRuns(): readonly RunSnapshot[] {
    try {
      const runs = (this.o.runs?.() ?? []).map((r) => ({ view: r.view(), lastEvent: r.lastEvent() ?? null }));
      this.failing.runs = false;
      return runs;
    } catch (err) {
      this.fail('runs', err, 'reading a run for the server snapshot failed; the server shows the previous state');
      return this.last.runs;
    }
  }

  private ready(): boolean {
    try {
      return this.o.isReady?.() ?? true;
    } catch {
      return false;
    }
  }

  private fail(what: 'metrics' | 'runs', err: unknown, message: string): void {
    this.o.errors?.countError(what === 'runs' ? 'api' : 'metrics');
    if (!this.failing[what]) this.o.log?.error({ err }, message);
    this.failing[what] = true;
  }
}

/** `promise`, or a rejection once `ms` have passed; the timer never keeps the process alive. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
