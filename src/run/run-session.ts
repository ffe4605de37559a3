import fs from 'node:fs';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { EpochSink } from '../core/epoch-sink.js';
import { UserError } from '../core/user-error.js';
import type { Phase } from '../metrics/index.js';
import { readCheckpoint } from '../store/checkpoint.js';
import { runPaths } from '../store/run-directory.js';
import { STORE_FAILURE_EXIT_CODE } from '../store/store-failure.js';
import { chooseEngine } from './choose-engine.js';
import { loopOptions, runShape } from './create-actuator.js';
import { LiveRun } from './live-run.js';
import { loadSplit, withDataOrigin } from './load-split.js';
import { checkModelBudget } from './model-budget.js';
import { Run } from './run.js';
import { RunHost } from './run-host.js';
import type { RunSummary } from './summary.js';

/** Options of {@link runSession}. */
export interface RunSessionOptions {
  readonly config: ResolvedConfig;
  /** Receives every epoch (the CLI's progress bar). Required. */
  readonly progress: EpochSink;
  /** Prints a one-line message for the user: `info` (backend, URL, resume) or the final `result`. */
  readonly say: (line: string, kind: 'info' | 'result') => void;
  /** Continue the run in `config.out` from its last checkpoint. Defaults to false. */
  readonly resume?: boolean;
  /** Whether the user chose the port. Defaults to false. */
  readonly portExplicit?: boolean;
  /** Bearer token of the control API; without one, mutating routes answer 403. */
  readonly token?: string | undefined;
  /** Operational log (warnings, internal errors). Defaults to warnings on stderr. */
  readonly log?: Logger;
  /** Installs SIGINT/SIGTERM handlers (stop at the epoch boundary; a second signal exits). Defaults to true. */
  readonly handleSignals?: boolean;
  /** The host to run on (a sweep shares one). Defaults to a new one from `config.server`, closed at the end. */
  readonly host?: RunHost | undefined;
}

/**
 * Runs one configured training job on a built-in engine end to end — data, model, run
 * directory, metrics server and control API, the epoch stream, checkpoints, summary and report —
 * and resolves with the process exit code: 0 finished or stopped, 3 diverged (as a UserError).
 * It is the CLI's `run` command, and composes the run layer exactly as a library user would.
 */
export async function runSession(options: RunSessionOptions): Promise<number> {
  const { config, say } = options;
  const wallStart = performance.now();
  const phases: Partial<Record<Phase, number>> = {};
  const phase = <T>(name: Phase, work: () => T): T => {
    const t0 = performance.now();
    try {
      return work();
    } finally {
      phases[name] = (performance.now() - t0) / 1000;
    }
  };

  // Everything that can reject the user's input runs before the run directory is touched.
  const paths = runPaths(config.out);
  if (options.resume) {
    readCheckpoint(paths.checkpoint); // a damaged checkpoint is refused before anything starts
    const done = finishedEpochs(paths.summary, config.epochs);
    if (done !== undefined) {
      say(
        `run ${config.name} already finished ${done} epochs; nothing to do (extend it with --resume ${paths.dir} --epochs N, N > ${done})`,
        'result',
      );
      return 0;
    }
  }
  const split = loadSplit(config, phase);
  const backend = await chooseEngine(config, split);
  checkModelBudget(config, split, backend); // before the run directory or the server exist
  const tensors = backend === 'js' ? undefined : (await import('../engines/tfjs/backend.js')).tensorCount;

  const setupStart = performance.now();
  const ownHost = options.host === undefined;
  const host =
    options.host ??
    (await RunHost.start({
      port: config.server.port,
      host: config.server.host,
      portExplicit: options.portExplicit ?? false,
      token: options.token,
      log: options.log,
      tensors,
    }));
  const log = host.log;
  const runMetrics = host.metricsFor(config.name);
  let run: Run;
  try {
    run = await Run.open({
      config: withDataOrigin(config, split),
      metrics: runMetrics,
      log,
      resume: options.resume,
      sinks: [options.progress, host.feedSink],
      backend,
      learningRate: config.model.learningRate,
      loop: loopOptions(config, runShape(split)),
    });
  } catch (err) {
    if (ownHost) await host.close();
    throw err;
  }
  // The live page of a resumed run shows the whole run, not only the epochs from here on.
  if (run.resumedFrom) await host.seedFeed(paths.dir, config.name, run.resumedFrom.epoch);
  const from = run.resumedFrom ? ` — resuming after epoch ${run.resumedFrom.epoch}` : '';
  say(`run ${config.name} → ${paths.dir}${from}`, 'info');
  say(
    `engine: ${backend}${host.url ? `   live page: ${host.url}/   metrics: ${host.url}/metrics   API: ${host.url}/api/runs` : ''}`,
    'info',
  );

  const modelStart = performance.now();
  let live: LiveRun;
  try {
    live = await LiveRun.create({ run, config, backend, split, afterEpoch: () => host.publish() });
  } catch (err) {
    await run.end('stopped');
    if (ownHost) await host.close();
    throw err;
  }
  host.add(run);
  phases.model_build = (performance.now() - modelStart) / 1000;
  phases.setup = (performance.now() - setupStart) / 1000 - phases.model_build;
  runMetrics.setInfo({
    model_name: 'mlp',
    architecture: [split.train.features, ...config.model.hidden, split.train.classNames.length].join('-'),
    parameters: live.parameters,
    dataset: split.train.name,
    backend,
    controller: config.controller.type,
  });
  for (const [name, seconds] of Object.entries(phases)) runMetrics.observePhase(name as Phase, seconds);

  const detach = options.handleSignals === false || !ownHost ? () => undefined : host.handleSignals();
  const trainStart = performance.now();
  let state: Awaited<ReturnType<LiveRun['trainToEnd']>>;
  try {
    state = await live.trainToEnd();
  } finally {
    options.progress.stop();
  }
  phases.training = (performance.now() - trainStart) / 1000;
  runMetrics.observePhase('training', phases.training);
  let summary: RunSummary;
  try {
    summary = await run.end(state, { backend, phases, wallSeconds: (performance.now() - wallStart) / 1000 });
  } finally {
    live.dispose();
  }
  host.publish();
  // After a signal, shutdown must stay short at any run length: the report is left for
  // `lossband report DIR` (the checkpoint, events and summary are already on disk).
  if (host.stoppedBySignal && summary.epochs > 0)
    say(`report.svg not redrawn after a signal; run: lossband report ${paths.dir}`, 'info');
  else if (summary.epochs > 0 && !run.fatal) {
    try {
      // vega loads only now, once training is over.
      const { writeReport } = await import('../report/render-report.js');
      await writeReport(paths.dir);
    } catch (err) {
      runMetrics.countError('report');
      log.error({ err }, 'writing report.svg failed');
    }
  }
  host.retire(run);
  if (ownHost) await host.close();
  detach();
  if (run.fatal) {
    // One line, exit 4: the disk failed the run; what is on disk is whole and resumable.
    const next = fs.existsSync(paths.config) ? ` — fix that, then continue with --resume ${paths.dir}` : '';
    throw new UserError(
      `${run.fatal.message}; the run stopped after epoch ${summary.epochs}${next}`,
      STORE_FAILURE_EXIT_CODE,
    );
  }
  if (state === 'diverged') {
    throw new UserError(
      `run ${config.name} diverged at epoch ${summary.epochs}: the loss is not finite (summary in ${paths.dir})`,
      3,
    );
  }
  say(
    `${state}: ${summary.epochs} epochs, final loss ${fmt(summary.finalLoss)}, in band ${pct(summary.inBandFraction)} since epoch ${summary.firstInBandEpoch ?? '—'}, ` +
      `test accuracy ${pct(summary.testAccuracy)}, ${summary.wallSeconds.toFixed(1)} s → ${paths.dir}`,
    'result',
  );
  return 0;
}

/** Epochs of a finished run that `epochs` would not extend; undefined when there is work to do. */
function finishedEpochs(summaryFile: string, epochs: number): number | undefined {
  let summary: { state?: unknown; epochs?: unknown };
  try {
    summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as typeof summary;
  } catch {
    return undefined;
  }
  if (summary.state !== 'finished' || typeof summary.epochs !== 'number') return undefined;
  return epochs > 0 && epochs <= summary.epochs ? summary.epochs : undefined;
}

const fmt = (x: number | null): string => (x === null ? '—' : x.toFixed(4));
const pct = (x: number | null): string => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
