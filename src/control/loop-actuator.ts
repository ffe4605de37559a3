import type { Band } from '../core/band.js';
import {
  initLoop,
  loopStep,
  restartAt,
  setBand,
  sigmaLimits,
  type LoopOptions,
  type LoopState,
} from './closed-loop.js';
import type { Actuator, Annotation } from '../core/actuator.js';
import type { EpochMeasurement } from '../core/epoch-measurement.js';

/**
 * The pure closed loop ({@link loopStep}) held as state for the training stream: the one
 * place the loop's state lives during a run. `setBand` is the run-time seam for band changes
 * (applied at the next epoch, bumpless); `state` is what a checkpoint saves.
 *
 * @example
 * const actuator = new LoopActuator({ band: { lo: 0.3, hi: 0.4 } });
 * train({ run, plant, actuator: () => actuator });
 * actuator.setBand({ lo: 0.5, hi: 0.6 });
 */
export class LoopActuator implements Actuator {
  private current: LoopState;

  constructor(options: LoopOptions, restored?: LoopState) {
    this.current = restored ?? initLoop(options);
  }

  get actuation(): LoopState['actuation'] {
    return this.current.actuation;
  }

  /** The loop state after the last epoch (plain JSON). */
  get state(): LoopState {
    return this.current;
  }

  /** Band the next epoch is controlled against. */
  get band(): Band {
    return this.current.band;
  }

  observe(measurement: EpochMeasurement): Annotation {
    const step = loopStep(this.current, measurement);
    this.current = step.state;
    return {
      smoothedLoss: step.smoothedLoss,
      band: step.band,
      inBand: step.inBand,
      terms: step.terms,
      bandStatus: step.bandStatus,
      ...(Number.isFinite(step.jitter) ? { jitter: step.jitter } : {}),
      bandTooNarrow: step.bandTooNarrow,
      ...(step.controllerFault ? { controllerFault: true } : {}),
    };
  }

  setBand(band: Band): void {
    this.current = setBand(this.current, band);
  }

  /** σ limits of the controller in charge; null when it does not steer σ. */
  get sigmaLimits(): { min: number; max: number } | null {
    return sigmaLimits(this.current.options);
  }

  /**
   * Restarts the controller at σ, bumpless ({@link restartAt}); the next epoch applies it.
   * `measured.gain`: the loss's slope in ln σ there, if a search measured it.
   */
  restartAt(sigma: number, measured: { gain?: number } = {}): void {
    this.current = restartAt(this.current, sigma, measured);
  }
}
