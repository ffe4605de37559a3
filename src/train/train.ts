import { Observable, type SchedulerLike } from 'rxjs';
import type { Actuation } from '../core/actuation.js';
import type { EpochMeasurement } from '../core/epoch-measurement.js';
import type { Actuator } from '../core/actuator.js';
import type { EpochEvent } from '../core/epoch-event.js';
import { immediateScheduler } from './immediate-scheduler.js';
import type { Plant } from '../core/plant.js';

/** Options of {@link train}. */
export interface TrainOptions {
  /** Run name stamped on every event. Required. */
  readonly run: string;
  /** Creates the plant for one subscription (the stream is cold). Required. */
  readonly plant: () => Plant;
  /** Creates the actuator (the controller side) for one subscription. Required. */
  readonly actuator: () => Actuator;
  /** Epochs to train; `0` trains until unsubscribed. Defaults to `0`. */
  readonly epochs?: number;
  /** Epochs already done (a resumed run continues numbering after it). Defaults to `0`. */
  readonly startEpoch?: number;
  /** Where epochs run; one epoch per scheduled action. Defaults to {@link immediateScheduler}. */
  readonly scheduler?: SchedulerLike;
  /** Wall clock for `timestamp`, in ms. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** While it last emitted `true`, no epoch starts; `false` continues. Defaults to never pausing. */
  readonly paused?: Observable<boolean>;
}

/**
 * A training run as a cold stream of epoch events. Each subscription builds its own plant
 * and actuator, trains one epoch per scheduler turn (yielding to the event loop in between)
 * and emits one {@link EpochEvent} per epoch. The σ an epoch applies is the actuator's
 * response to the epoch before it. Unsubscribing stops at the next epoch boundary and
 * disposes the plant, tensors included.
 *
 * `paused` holds the loop between epochs without a timer; it continues when it emits `false`.
 *
 * ```
 * subscribe:  ^
 * epochs:     -e1-e2-e3-…-eN|        (N = epochs; never completes when epochs = 0)
 * ```
 *
 * @example
 * const fixed = { band: { lo: 0.3, hi: 0.4 }, controller: { type: 'fixed', sigma: 0.1 } } as const;
 * train({ run: 'demo', epochs: 50, plant: () => new JsPlant({ split }), actuator: () => new LoopActuator(fixed) })
 *   .subscribe((e) => console.log(`Epoch ${e.epoch}/50 Loss: ${e.loss}`));
 */
export function train(options: TrainOptions): Observable<EpochEvent> {
  const { run, epochs = 0, startEpoch = 0 } = options;
  const scheduler = options.scheduler ?? immediateScheduler;
  const now = options.now ?? Date.now;
  return new Observable<EpochEvent>((subscriber) => {
    const plant = options.plant();
    const actuator = options.actuator();
    let epoch = startEpoch;
    const last = epochs > 0 ? startEpoch + epochs : Infinity;
    let paused = false;
    let stepping = false;
    let disposeLater = false;
    const disposeIfDone = (): void => {
      if (disposeLater) {
        disposeLater = false;
        plant.dispose();
      }
    };
    let waiting: (() => void) | undefined;
    const pauses = options.paused?.subscribe((value) => {
      paused = value;
      if (!paused && waiting) {
        const go = waiting;
        waiting = undefined;
        go();
      }
    });
    /** Turns one measured epoch into its event; false when the stream has ended. */
    const emit = (applied: Actuation, measurement: EpochMeasurement): boolean => {
      let event: EpochEvent;
      try {
        const annotation = actuator.observe(measurement);
        event = {
          run,
          epoch: epoch + 1,
          ...measurement,
          sigma: applied.sigma,
          draws: applied.draws,
          ...annotation,
          timestamp: now(),
        };
      } catch (err) {
        subscriber.error(err);
        return false;
      }
      epoch += 1;
      subscriber.next(event);
      if (subscriber.closed) return false;
      if (epoch >= last) {
        subscriber.complete();
        return false;
      }
      return true;
    };
    const action = scheduler.schedule(function () {
      if (subscriber.closed) return;
      if (paused) {
        waiting = () => this.schedule();
        return;
      }
      const applied = actuator.actuation;
      let result: EpochMeasurement | PromiseLike<EpochMeasurement>;
      try {
        result = plant.step(applied);
      } catch (err) {
        subscriber.error(err);
        return;
      }
      if (!isPromiseLike(result)) {
        if (emit(applied, result)) this.schedule();
        return;
      }
      // An async plant: the next epoch is scheduled once this one has resolved, so epochs never overlap.
      stepping = true;
      result.then(
        (measurement) => {
          stepping = false;
          if (subscriber.closed) return disposeIfDone();
          if (emit(applied, measurement)) this.schedule();
        },
        (err: unknown) => {
          stepping = false;
          if (subscriber.closed) return disposeIfDone();
          subscriber.error(err);
        },
      );
    });
    return () => {
      pauses?.unsubscribe();
      action.unsubscribe();
      // An async epoch still in flight owns the plant until it settles.
      if (stepping) disposeLater = true;
      else plant.dispose();
    };
  });
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
