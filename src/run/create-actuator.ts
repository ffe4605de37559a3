import type { ResolvedConfig } from '../config/resolved-config.js';
import type { ControllerConfig } from '../control/create-controller.js';
import type { LoopOptions, LoopState } from '../control/closed-loop.js';
import { LoopActuator } from '../control/loop-actuator.js';

/** The loop options a run config asks for. */
export function loopOptions(config: ResolvedConfig): LoopOptions {
  const { type, signal, filterAlpha, ...gains } = config.controller;
  const sigma = config.noise.sigma;
  const controller = (type === 'fixed' ? { type, sigma: sigma ?? 0.1 } : { type, ...gains }) as ControllerConfig;
  return {
    band: config.band,
    controller,
    signal,
    filterAlpha,
    initialSigma: sigma,
    sigmaMin: config.noise.min,
    sigmaMax: config.noise.max,
    draws: config.noise.draws,
    drawsPolicy: { maxDraws: config.noise.maxDraws },
  };
}

/** Builds the feedback side of a run from its config, or restores it from a checkpoint. */
export function createActuator(config: ResolvedConfig, restored?: LoopState): LoopActuator {
  return new LoopActuator(loopOptions(config), restored);
}
