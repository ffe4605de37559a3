import { pino, type Logger } from 'pino';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { chooseEngine } from './choose-engine.js';
import type { Phase } from '../metrics/index.js';
import { writeReport } from '../report/render-report.js';
import { createControlApi } from '../server/control-api.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { readCheckpoint } from '../store/checkpoint.js';
import { reconcileEvents } from '../store/reconcile-events.js';
import { createRunDirectory, runPaths } from '../store/run-directory.js';
import { UserError } from '../core/user-error.js';
import { LiveRun, type RunOutcome } from './live-run.js';
import { loadSplit } from './load-split.js';
import type { EpochSink } from '../core/epoch-sink.js';
import { startObservability } from './observability.js';

/** Options of {@link runSession}. */
export interface RunSessionOptions {
  readonly config: ResolvedConfig;
  /** Receives every epoch (the CLI's progress bar). Required. */
  readonly progress: EpochSink;
  /** Prints a one-line message for the user: `info` (backend, resume) or the final `result`. */
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
}

/**
 * Runs one configured training job end to end — data, model, run directory, metrics server
 * and control API, the epoch stream, checkpoints, summary and report — and resolves with the
 * process exit code: 0 finished or stopped, 3 diverged (as a UserError).
 */
export async function runSession(options: RunSessionOptions): Promise<number> {
  const { config, say } = options;
  const log = options.log ?? pino({ level: 'warn' }, pino.destination(2));
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
  const resume = options.resume ? readCheckpoint(paths.checkpoint) : undefined;
  const split = loadSplit(config, phase);
  const backend = await chooseEngine(config, split);
  const tensors = backend === 'js' ? undefined : (await import('../engines/tfjs/backend.js')).tensorCount;
  say(`backend: ${backend}${resume ? ` — resuming ${config.name} after epoch ${resume.epoch}` : ''}`, 'info');

  const setupStart = performance.now();
  // Filled once the model is built; the server is up before that and reads it per request.
  const current: { run?: LiveRun } = {};
  let countError = (_component: 'api'): void => undefined;
  const observability = await startObservability({
    config,
    portExplicit: options.portExplicit ?? false,
    log,
    isReady: () => current.run !== undefined,
    tensors,
    routes: [{ path: '/api', router: createControlApi({ runs: () => (current.run ? [current.run] : []), token: options.token, log, errors: { countError: (c) => countError(c as 'api') } }) }],
  });
  const { metrics } = observability;
  countError = (c) => metrics.countError(c);
  try {
    if (options.resume) reconcileEvents(paths.events, resume?.epoch ?? 0);
    else createRunDirectory(config.out, config);
  } catch (err) {
    await observability.close();
    throw err;
  }
  const progress = options.progress;
  const modelStart = performance.now();
  const live = await LiveRun.create({ config, backend, split, paths, metrics, progress, log, resume });
  current.run = live;
  phases.model_build = (performance.now() - modelStart) / 1000;
  phases.setup = (performance.now() - setupStart) / 1000 - phases.model_build;
  metrics.setInfo({
    model_name: 'mlp',
    architecture: [split.train.features, ...config.model.hidden, split.train.classNames.length].join('-'),
    parameters: live.parameters,
    dataset: split.train.name,
    backend,
    controller: config.controller.type,
  });
  for (const [name, seconds] of Object.entries(phases)) metrics.observePhase(name as Phase, seconds);

  const detach = options.handleSignals === false ? () => undefined : onSignals(() => live.stop());
  const trainStart = performance.now();
  let outcome: RunOutcome;
  try {
    outcome = await live.trainToEnd();
  } finally {
    progress.stop();
    detach();
  }
  phases.training = (performance.now() - trainStart) / 1000;
  metrics.observePhase('training', phases.training);
  await observability.server?.flush();

  const { last, stats } = outcome;
  const summary = {
    run: config.name,
    state: outcome.state,
    epochs: last?.epoch ?? resume?.epoch ?? 0,
    finalLoss: last?.loss ?? null,
    testAccuracy: last?.valAccuracy ?? null,
    finalSigma: last?.sigma ?? null,
    finalDraws: last?.draws ?? null,
    band: last?.band ?? config.band,
    firstInBandEpoch: stats.firstInBandEpoch,
    inBandFraction: stats.inBandFraction,
    inBandFractionSmoothed: stats.inBandFractionSmoothed,
    bandIAE: stats.bandIAE,
    sigmaTotalVariation: stats.sigmaTotalVariation,
    sigmaReversals: stats.sigmaReversals,
    nonFiniteEpochs: stats.nonFiniteEpochs,
    rollbacks: outcome.rollbacks,
    learningRate: outcome.learningRate,
    backend,
    wallSeconds: (performance.now() - wallStart) / 1000,
    phases,
  };
  writeFileAtomic(paths.summary, JSON.stringify(summary, null, 2) + '\n');
  if (summary.epochs > 0) {
    try {
      await writeReport(paths.dir);
    } catch (err) {
      metrics.countError('report');
      log.error({ err }, 'writing report.svg failed');
    }
  }
  await observability.close();
  if (outcome.state === 'diverged') {
    throw new UserError(`run ${config.name} diverged at epoch ${last?.epoch ?? '?'}: the loss is not finite (summary in ${paths.dir})`, 3);
  }
  say(
    `${outcome.state}: ${summary.epochs} epochs, final loss ${fmt(summary.finalLoss)}, in band ${pct(summary.inBandFraction)} since epoch ${summary.firstInBandEpoch ?? '—'}, ` +
      `test accuracy ${pct(summary.testAccuracy)}, ${summary.wallSeconds.toFixed(1)} s → ${paths.dir}`,
    'result',
  );
  return 0;
}

const fmt = (x: number | null): string => (x === null ? '—' : x.toFixed(4));
const pct = (x: number | null): string => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);

/** First SIGINT/SIGTERM: stop at the epoch boundary. Second: exit at once. */
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
