import type { ResolvedConfig } from '../config/resolved-config.js';
import type { ControllerConfig } from '../control/create-controller.js';
import type { LoopOptions, LoopState } from '../control/closed-loop.js';
import { budgetDraws } from '../control/draws-budget.js';
import { LoopActuator } from '../control/loop-actuator.js';

/** What the loop needs to know about the data: the chance-level check and the draws budget use it. */
export interface RunShape {
  readonly classes: number;
  readonly features: number;
  readonly trainRows: number;
  readonly valRows: number;
}

/**
 * The loop options a run config asks for. `shape` (from the training split) enables the
 * chance-level band check and bounds `draws: auto` by `noise.budget`; without it K is bounded
 * by `noise.maxDraws` only.
 */
export function loopOptions(config: ResolvedConfig, shape?: RunShape): LoopOptions {
  const { type, signal, filterAlpha, ...gains } = config.controller;
  const sigma = config.noise.sigma;
  const controller = (type === 'fixed' ? { type, sigma: sigma ?? 0.1 } : { type, ...gains }) as ControllerConfig;
  const maxDraws =
    shape === undefined
      ? config.noise.maxDraws
      : budgetDraws(
          {
            trainRows: shape.trainRows,
            valRows: shape.valRows,
            widths: [shape.features, ...config.model.hidden, shape.classes],
          },
          { budget: config.noise.budget, maxDraws: config.noise.maxDraws },
        );
  return {
    band: config.band,
    controller,
    signal,
    filterAlpha,
    initialSigma: sigma,
    sigmaMin: config.noise.min,
    sigmaMax: config.noise.max,
    draws: config.noise.draws,
    drawsPolicy: { maxDraws },
    classes: shape?.classes,
  };
}

/** Builds the feedback side of a run from its config, or restores it from a checkpoint. */
export function createActuator(config: ResolvedConfig, restored?: LoopState, shape?: RunShape): LoopActuator {
  return new LoopActuator(loopOptions(config, shape), restored);
}

/** The {@link RunShape} of a split. */
export function runShape(split: {
  readonly train: { readonly rows: number; readonly features: number; readonly classNames: readonly string[] };
  readonly test: { readonly rows: number };
}): RunShape {
  return {
    classes: split.train.classNames.length,
    features: split.train.features,
    trainRows: split.train.rows,
    valRows: split.test.rows,
  };
}
