import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { UserError } from '../core/user-error.js';
import { RunHost } from '../run/run-host.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { acquireRunLock } from '../store/run-lock.js';
import { expandSweep, type SweepPoint } from './expand-sweep.js';
import { planPoint, type PointPlan } from './plan-point.js';
import { pointConfig, type SweepServer } from './point-config.js';
import { PointThread } from './point-thread.js';
import { renderSweepChart } from './render-sweep-chart.js';
import { RunProxy } from './run-proxy.js';
import type { LoadedSweep } from './sweep-file.js';
import { SweepProgress } from './sweep-progress.js';
import type { PointResult } from './sweep-protocol.js';
import { sweepCsv, sweepJson, sweepRows } from './sweep-results.js';
import {
  readSweepState,
  sweepPaths,
  writeSweepState,
  type PointRecord,
  type PointState,
  type SweepStateFile,
} from './sweep-state.js';
import { formatSweepTable } from './sweep-table.js';

/** Options of {@link runSweep}. */
export interface SweepOptions {
  /** The sweep; for `resume`, the copy saved in `out` (`sweep.yaml`). Required. */
  readonly sweep: LoadedSweep;
  /** The sweep directory: `sweep.yaml`, `sweep-state.json`, the results and one run directory per point. Required. */
  readonly out: string;
  /** Continue the sweep in `out`. Defaults to false: `out` must not hold a sweep. */
  readonly resume?: boolean | undefined;
  /** Runs trained at once, each on its own worker thread. Defaults to `os.availableParallelism()`. */
  readonly concurrency?: number | undefined;
  /** Where the one server of the sweep listens; `port` 0 serves nothing. Required. */
  readonly server: SweepServer;
  /** Whether the user chose the port (a busy chosen port is an error). Defaults to false. */
  readonly portExplicit?: boolean | undefined;
  /** Bearer token of the control API. Defaults to none (read-only API). */
  readonly token?: string | undefined;
  /** Print only the final table. Defaults to false. */
  readonly quiet?: boolean | undefined;
  /** Writes one line of output. Defaults to stdout. */
  readonly print?: ((line: string) => void) | undefined;
  /** Operational log. Defaults to warnings on stderr. */
  readonly log?: Logger | undefined;
}

/** One point of this session: its config and what to do with it. */
interface Planned {
  readonly point: SweepPoint;
  readonly config: ResolvedConfig;
  readonly plan: PointPlan;
}

/**
 * `lossband sweep FILE`: trains every point of a sweep, `concurrency` at a time, each on a
 * worker thread with the normal run layer, behind one server: `/metrics` serves every run's
 * series and the control API lists and steers every run (see `RunProxy`). Resolves with the
 * exit code: 0 when no point failed (or a signal stopped the sweep), 1 when some did.
 *
 * - **Directory.** `out` gets `sweep.yaml` (the file, byte for byte), `sweep-state.json` and a
 *   run directory per point; it is locked like a run directory. At the end it gets
 *   `sweep.csv`, `sweep.json` and `sweep.svg`.
 * - **Failures.** A point whose run throws (bad data, a lost thread) is recorded as failed
 *   with its one-line error; the other points go on.
 * - **Resume.** With `resume`, points whose run finished (or diverged) are left as they are,
 *   interrupted ones continue from their checkpoints, the rest start.
 * - **Signals.** The first SIGINT/SIGTERM stops every run at its epoch boundary (each writes
 *   its checkpoint) and starts no more; the second exits at once.
 *
 * Bad input (the sweep, the directory, a run directory holding another experiment) is
 * refused with a one-line `UserError` before any run starts.
 */
export async function runSweep(o: SweepOptions): Promise<number> {
  const print = o.print ?? ((line: string) => void process.stdout.write(line + '\n'));
  const say = (line: string): void => (o.quiet ? undefined : print(line));
  const log = o.log ?? pino({ level: 'warn' }, pino.destination(2));
  const files = sweepPaths(o.out);

  const points = expandSweep(o.sweep);
  const planned: Planned[] = points.map((point) => {
    const config = pointConfig(point, o.out, o.server);
    return {
      point,
      config,
      plan: o.resume ? planPoint(config) : { kind: 'fresh' },
    };
  });
  const previous = o.resume ? readSweepState(o.out) : undefined;
  if (!o.resume) refuseUsedDirectory(o.out, planned);

  try {
    fs.mkdirSync(o.out, { recursive: true });
  } catch (err) {
    throw new UserError(
      `--out ${o.out}: cannot create the sweep directory (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const lock = acquireRunLock(o.out);
  try {
    const now = new Date().toISOString();
    let state: SweepStateFile = {
      version: 1,
      sweep: o.sweep.name,
      source: previous?.source ?? o.sweep.file,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      sessions: (previous?.sessions ?? 0) + 1,
      points: planned.map(({ point, plan }) => ({
        index: point.index,
        name: point.name,
        state:
          plan.kind === 'done'
            ? plan.state
            : (previous?.points.find((p) => p.index === point.index)?.state ?? 'pending'),
      })),
    };
    const record = (index: number, pointState: PointState, error?: string): void => {
      state = {
        ...state,
        updatedAt: new Date().toISOString(),
        points: state.points.map((p): PointRecord =>
          p.index === index
            ? {
                index,
                name: p.name,
                state: pointState,
                ...(error ? { error } : {}),
              }
            : p,
        ),
      };
      writeSweepState(o.out, state);
    };
    const todo = planned.filter((p) => p.plan.kind !== 'done');
    const concurrency = Math.max(1, Math.min(o.concurrency ?? os.availableParallelism(), Math.max(1, todo.length)));
    const proxies = new Map<string, RunProxy>();
    const threads: PointThread[] = Array.from(
      { length: concurrency },
      () =>
        new PointThread({
          log,
          onRuns: (runs) => runs.forEach((r) => proxies.get(r.view.run)?.update(r)),
        }),
    );
    // Before any file is written: a busy port leaves no half-made sweep behind.
    const host = await RunHost.start({
      port: o.server.port,
      host: o.server.host,
      portExplicit: o.portExplicit ?? false,
      token: o.token,
      log,
      remoteRuns: () => threads.flatMap((t) => (t.metrics ? [t.metrics] : [])),
    });
    try {
      if (!o.resume) writeFileAtomic(files.file, o.sweep.text);
      writeSweepState(o.out, state);

      const progress = new SweepProgress({
        print: say,
        total: points.length,
        concurrency,
      });
      const skipped = planned.length - todo.length;
      progress.skipped(skipped);
      const resuming = todo.filter((p) => p.plan.kind === 'resume').length;
      say(`sweep ${o.sweep.name}: ${points.length} runs, ${concurrency} at a time → ${o.out}`);
      if (o.resume)
        say(
          `resuming: ${skipped} already ended (left as they are), ${resuming} to continue from their checkpoints, ${todo.length - resuming} to start`,
        );
      if (host.url) say(`metrics and API: ${host.url}/metrics  ${host.url}/api/runs`);

      let stopping = false;
      const active = new Set<RunProxy>();
      const detachSignals = onSignals(() => {
        stopping = true;
        say('stopping: every run stops at its next epoch boundary (a second signal exits at once)');
        for (const proxy of active) proxy.stop();
      });
      const runningShares = (): (number | undefined)[] =>
        [...active].map((p) => {
          const v = p.view();
          return v.epochs > 0 ? v.epoch / v.epochs : undefined;
        });

      const queue = [...todo];
      let failed = 0;
      const lane = async (thread: PointThread): Promise<void> => {
        for (let next = queue.shift(); next !== undefined && !stopping; next = queue.shift()) {
          const { point, config, plan } = next;
          const proxy = new RunProxy(config, (command) => thread.command(config.name, command));
          proxies.set(config.name, proxy);
          active.add(proxy);
          host.add(proxy);
          record(point.index, 'running');
          progress.started(config.name);
          const result = plan.kind === 'resume' ? await thread.run(plan.config, true) : await thread.run(config, false);
          active.delete(proxy);
          const end = outcome(config, result);
          if (end.state === 'failed') {
            failed += 1;
            proxy.abandon();
          }
          record(point.index, end.state, end.error);
          progress.ended({ name: config.name, ...end }, runningShares());
        }
      };
      try {
        await Promise.all(threads.map(lane));
      } finally {
        detachSignals();
      }

      const rows = sweepRows(points, o.out, state.points);
      writeFileAtomic(files.csv, sweepCsv(rows));
      writeFileAtomic(files.json, sweepJson(rows));
      try {
        writeFileAtomic(files.svg, await renderSweepChart(rows, { title: o.sweep.name }));
      } catch (err) {
        log.error({ err }, 'writing sweep.svg failed');
      }
      print(formatSweepTable(rows).trimEnd());
      print(`→ ${files.csv}  ${files.json}  ${files.svg}`);
      if (stopping) say(`stopped; continue with: lossband sweep --resume ${o.out}`);
      return failed > 0 && !stopping ? 1 : 0;
    } finally {
      await host.close();
      await Promise.all(threads.map((t) => t.close()));
    }
  } finally {
    lock.release();
  }
}

/** A fresh sweep refuses a directory that holds a sweep or any of its runs. */
function refuseUsedDirectory(out: string, planned: readonly Planned[]): void {
  const files = sweepPaths(out);
  for (const file of [files.state, files.file]) {
    if (fs.existsSync(file))
      throw new UserError(
        `--out ${out}: already holds a sweep (${path.basename(file)}); use --resume ${out} or another --out`,
      );
  }
  for (const { config } of planned) {
    if (fs.existsSync(path.join(config.out, 'config.json')))
      throw new UserError(`--out ${out}: already holds run ${config.name}; use another --out`);
  }
}

/** How a point ended, from its worker's result and its `summary.json`. */
function outcome(
  config: ResolvedConfig,
  result: PointResult,
): {
  state: PointState;
  error?: string;
  epochs?: number | null;
  finalLoss?: number | null;
  inBandFraction?: number | null;
} {
  if (result.kind === 'threw' && result.exitCode !== 3) return { state: 'failed', error: result.message };
  let summary: {
    state?: unknown;
    epochs?: number;
    finalLoss?: number | null;
    inBandFraction?: number | null;
  };
  try {
    summary = JSON.parse(fs.readFileSync(path.join(config.out, 'summary.json'), 'utf8')) as typeof summary;
  } catch {
    return {
      state: 'failed',
      error: result.kind === 'threw' ? result.message : `${config.out}: no summary.json after the run ended`,
    };
  }
  const state: PointState =
    result.kind === 'threw'
      ? 'diverged'
      : summary.state === 'stopped'
        ? 'stopped'
        : summary.state === 'diverged'
          ? 'diverged'
          : 'finished';
  return {
    state,
    epochs: summary.epochs ?? null,
    finalLoss: summary.finalLoss ?? null,
    inBandFraction: summary.inBandFraction ?? null,
  };
}

/** First SIGINT/SIGTERM calls `stop`; a second exits at once (130 or 143). Returns the detacher. */
function onSignals(stop: () => void): () => void {
  let seen = 0;
  const handler = (signal: NodeJS.Signals): void => {
    seen += 1;
    if (seen > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
