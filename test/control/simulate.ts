import { initLoop, loopStep, type LoopOptions, type LoopState } from '../../src/control/closed-loop.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { createPlant, type Plant, type PlantOptions } from './plant.js';

/** A closed-loop run against the synthetic plant, as the trainer would record it. */
export interface Simulation {
  readonly events: EpochEvent[];
  readonly state: LoopState;
}

/**
 * Runs `initLoop(options)` against a synthetic plant for `epochs` epochs, in simulated time.
 * `before(epoch, state)` may replace the state before an epoch runs (e.g. `setBand`).
 */
export function simulateLoop(
  options: LoopOptions,
  plantOptions: PlantOptions,
  epochs: number,
  before: (epoch: number, state: LoopState) => LoopState = (_, s) => s,
  plant: Plant = createPlant(plantOptions),
): Simulation {
  const events: EpochEvent[] = [];
  let state = initLoop(options);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    state = before(epoch, state);
    const applied = state.actuation;
    const m = plant.step(applied);
    const out = loopStep(state, m);
    events.push({
      ...m,
      run: 'sim',
      epoch,
      sigma: applied.sigma,
      draws: applied.draws,
      smoothedLoss: out.smoothedLoss,
      band: out.band,
      inBand: out.inBand,
      terms: out.terms,
      bandStatus: out.bandStatus,
      jitter: out.jitter,
      bandTooNarrow: out.bandTooNarrow,
      timestamp: epoch,
    });
    state = out.state;
  }
  return { events, state };
}
