import type { ResolvedConfig } from '../config/resolved-config.js';
import type { Actuator } from '../train/actuator.js';
import { ZERO_TERMS } from '../control/actuation.js';
import { inBand } from '../control/band.js';

/** Builds the feedback side of a run from its config. */
export function createActuator(config: ResolvedConfig): Actuator {
  const actuation = { sigma: config.noise.sigma, draws: typeof config.noise.draws === 'number' ? config.noise.draws : 1 };
  return {
    actuation,
    observe: (m) => ({ smoothedLoss: m.loss, band: config.band, inBand: inBand(m.loss, config.band), terms: ZERO_TERMS }),
  };
}
