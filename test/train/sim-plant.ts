import type { Actuation } from '../../src/control/actuation.js';
import type { EpochMeasurement } from '../../src/train/epoch-measurement.js';
import type { Plant } from '../../src/train/plant.js';

/** A deterministic stand-in for training: loss decays per epoch and rises with σ. */
export class SimPlant implements Plant {
  readonly applied: Actuation[] = [];
  disposed = 0;
  private base = 1;

  step(actuation: Actuation): EpochMeasurement {
    this.applied.push(actuation);
    this.base *= 0.9;
    const loss = this.base + actuation.sigma;
    return { loss, valLoss: loss, valAccuracy: 0.5, durationMs: 1, nonFinite: !Number.isFinite(loss) };
  }

  dispose(): void {
    this.disposed += 1;
  }
}
