import type { Actuation } from '../../src/core/actuation.js';
import type { EpochMeasurement } from '../../src/core/epoch-measurement.js';
import type { Plant } from '../../src/core/plant.js';

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

/**
 * {@link SimPlant} behind a Promise that the test resolves: each `step` waits until `release()`
 * is called, so a test controls exactly when an async epoch ends.
 */
export class AsyncSimPlant implements Plant {
  readonly inner = new SimPlant();
  inFlight = 0;
  maxInFlight = 0;
  disposed = 0;
  failNext: Error | undefined;
  private pending: (() => void)[] = [];

  step(actuation: Actuation): Promise<EpochMeasurement> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      this.pending.push(() => {
        this.inFlight -= 1;
        const fail = this.failNext;
        this.failNext = undefined;
        if (fail) reject(fail);
        else resolve(this.inner.step(actuation));
      });
    });
  }

  /** Ends the oldest waiting epoch; false when none waits. */
  release(): boolean {
    const next = this.pending.shift();
    next?.();
    return next !== undefined;
  }

  get waiting(): number {
    return this.pending.length;
  }

  dispose(): void {
    this.disposed += 1;
  }
}
