import type { Subscription } from 'rxjs';
import { pino, type Logger } from 'pino';
import { startObservability } from './observability.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { selectBackend } from '../model/backend.js';
import { createRunDirectory, type RunPaths } from '../store/run-directory.js';
import { EventsWriter } from '../store/events-writer.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { TfjsPlant } from '../train/tfjs-plant.js';
import { train } from '../train/train.js';
import type { EpochEvent } from '../train/epoch-event.js';
import { createActuator } from './create-actuator.js';
import { loadSplit } from './load-split.js';
import { createProgress, type ProgressMode } from './progress.js';
import { UserError } from '../user-error.js';
import { writeReport } from '../report/render-report.js';

/** Phases of a run, timed like the seed's Gantt chart. */
export type Phase = 'data_load' | 'preprocess' | 'model_build' | 'setup' | 'training';

/** Terminal state of a run. */
export type RunState = 'finished' | 'stopped' | 'diverged';

/** Options of {@link runSession}. */
export interface RunSessionOptions {
  readonly config: ResolvedConfig;
  readonly progress: ProgressMode;
  /** Prints a one-line message for the user (backend, final summary). */
  readonly say: (line: string) => void;
  /** Whether the user chose the port. Defaults to false. */
  readonly portExplicit?: boolean;
  /** Operational log (warnings, internal errors). Defaults to warnings on stderr. */
  readonly log?: Logger;
}

/**
 * Runs one configured training job end to end: data, model, run directory, the epoch
 * stream, progress, and the summary. Resolves with the process exit code.
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

  const split = loadSplit(config, phase);
  const backend = await selectBackend(config.backend === 'auto' ? undefined : config.backend);
  say(`backend: ${backend}`);
  const seed = String(config.seed);
  const plant = phase('model_build', () =>
    new TfjsPlant({
      split,
      seed,
      hidden: config.model.hidden,
      optimizer: config.model.optimizer,
      learningRate: config.model.learningRate,
      batchSize: config.model.batchSize,
      measureClean: config.controller.signal === 'clean',
    }),
  );
  const log = options.log ?? pino({ level: 'warn' }, pino.destination(2));
  const setupStart = performance.now();
  const paths: RunPaths = createRunDirectory(config.out, config);
  let training = false;
  const observability = await startObservability({ config, portExplicit: options.portExplicit ?? false, log, isReady: () => training });
  const { metrics } = observability;
  metrics.setInfo({
    model_name: 'mlp',
    architecture: [split.train.features, ...config.model.hidden, split.train.classNames.length].join('-'),
    parameters: plant.mlp.parameters,
    dataset: split.train.name,
    backend,
    controller: config.controller.type,
  });
  const events = new EventsWriter(paths.events, {
    onError: (err) => {
      metrics.countError('store');
      log.error({ err }, 'writing events.jsonl failed');
    },
  });
  phases.setup = (performance.now() - setupStart) / 1000;
  for (const [name, seconds] of Object.entries(phases)) metrics.observePhase(name as Phase, seconds);
  metrics.setState('running');
  training = true;
  const progress = createProgress({ mode: options.progress, epochs: config.epochs });
  const trainStart = performance.now();
  let last: EpochEvent | undefined;
  let state = 'finished' as RunState;

  await new Promise<void>((resolve, reject) => {
    let subscription: Subscription | undefined;
    const stop = (): void => {
      state = 'stopped';
      subscription?.unsubscribe();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    subscription = train({
      run: config.name,
      epochs: config.epochs,
      plant: () => plant,
      actuator: () => createActuator(config),
    }).subscribe({
      next: (event) => {
        last = event;
        events.append(event);
        metrics.recordEpoch(event);
        progress.epoch(event);
        if (event.nonFinite && config.onNonFinite === 'stop') {
          state = 'diverged';
          subscription?.unsubscribe();
          resolve();
        }
      },
      error: reject,
      complete: resolve,
    });
  }).finally(() => {
    progress.stop();
    events.close();
  });
  phases.training = (performance.now() - trainStart) / 1000;
  metrics.observePhase('training', phases.training);
  metrics.setState(state);

  const summary = {
    run: config.name,
    state,
    epochs: last?.epoch ?? 0,
    finalLoss: last?.loss ?? null,
    testAccuracy: last?.valAccuracy ?? null,
    finalSigma: last?.sigma ?? null,
    backend,
    wallSeconds: (performance.now() - wallStart) / 1000,
    phases,
  };
  writeFileAtomic(paths.summary, JSON.stringify(summary, null, 2) + '\n');
  if (summary.epochs > 0) await writeReport(paths.dir);
  await observability.close();
  if (state === 'diverged') {
    throw new UserError(`run ${config.name} diverged at epoch ${last?.epoch}: loss is not finite (state saved in ${paths.dir})`, 3);
  }
  say(`${state}: ${summary.epochs} epochs, final loss ${summary.finalLoss}, test accuracy ${summary.testAccuracy}, ${summary.wallSeconds.toFixed(1)} s → ${paths.dir}`);
  return 0;
}
