import os from 'node:os';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createActuator, runShape } from '../../src/run/create-actuator.js';
import { loadSplit } from '../../src/run/load-split.js';
import type { Band } from '../../src/core/band.js';
import { EMPTY_BAND_STATISTICS, reduceBandStatistics, type BandStatistics } from '../../src/control/band-statistics.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import type { LoopActuator } from '../../src/control/loop-actuator.js';
import { TfjsPlant } from '../../src/engines/tfjs/tfjs-plant.js';
import { JsPlant } from '../../src/engines/js/js-plant.js';
import { chooseEngine } from '../../src/run/choose-engine.js';
import { train } from '../../src/train/train.js';

/** One benchmark run: a config layer on top of the default preset, optionally with band changes. */
export interface Case {
  /** Config layer, as a user would write it (dataset, band, controller, noise…). */
  readonly config: ConfigInput;
  /** `epoch → band`: after that epoch's event, `setBand` on the actuator (as the run-control API does). */
  readonly bandChanges?: ReadonlyMap<number, Band>;
  /** Stop as soon as the raw loss is first in band (for the σ = 0 entry reference). */
  readonly untilFirstInBand?: boolean;
  /** Replaces {@link createActuator} (for experiments only; the bench uses the CLI's path). */
  readonly actuator?: (config: ResolvedConfig) => LoopActuator;
}

/** What one run produced. */
export interface CaseResult {
  readonly stats: BandStatistics;
  readonly events: readonly EpochEvent[];
  /** Held-out accuracy after the last epoch. */
  readonly testAccuracy: number;
  readonly seconds: number;
  /**
   * CPU seconds (user + system) of this process during the run, worker threads included: the
   * cost measure that a loaded machine does not distort the way it distorts wall time.
   */
  readonly cpuSeconds: number;
  /** 1-minute load average at the start and the end of the run. */
  readonly load: readonly [number, number];
}

/**
 * Runs one case along the CLI's code path: resolveConfig → loadSplit → the CLI's engine →
 * createActuator → train(). Seeds run in sequence; the backend must already be selected.
 */
export async function runCase(c: Case): Promise<CaseResult> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const load0 = os.loadavg()[0] as number;
  const config = resolveConfig([{ ...c.config, server: { port: 0 } }], new Date(0));
  const split = loadSplit(config, (_name, work) => work());
  const actuator = c.actuator ? c.actuator(config) : createActuator(config, undefined, runShape(split));
  // The engine the CLI picks for this model (plain JS for these small networks).
  const engine = await chooseEngine(config, split);
  const Plant = engine === 'js' ? JsPlant : TfjsPlant;
  const stream = train({
    run: config.name,
    epochs: config.epochs,
    plant: () =>
      new Plant({
        split,
        seed: String(config.seed),
        hidden: config.model.hidden,
        optimizer: config.model.optimizer,
        learningRate: config.model.learningRate,
        batchSize: config.model.batchSize,
        measureClean: config.controller.signal === 'clean',
        noiseScale: config.noise.scale,
        antithetic: config.noise.antithetic,
      }),
    actuator: () => actuator,
  });
  let stats = EMPTY_BAND_STATISTICS;
  const events = await new Promise<EpochEvent[]>((resolve, reject) => {
    const all: EpochEvent[] = [];
    const sub = stream.subscribe({
      next: (e) => {
        all.push(e);
        stats = reduceBandStatistics(stats, e);
        const change = c.bandChanges?.get(e.epoch);
        if (change) actuator.setBand(change);
        if (c.untilFirstInBand && stats.firstInBandEpoch !== null) {
          sub.unsubscribe();
          resolve(all);
        }
      },
      error: reject,
      complete: () => resolve(all),
    });
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    stats,
    events,
    testAccuracy: events.at(-1)?.valAccuracy ?? NaN,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    load: [load0, os.loadavg()[0] as number],
  };
}
