import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

class ImmediateAction<T> extends Subscription implements SchedulerAction<T> {
  private handle: ReturnType<typeof setImmediate> | ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly work: (this: SchedulerAction<T>, state?: T) => void) {
    super();
    this.add(() => this.cancel());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.cancel();
    const run = (): void => {
      this.handle = undefined;
      if (!this.closed) this.work.call(this, state);
    };
    this.handle = delay > 0 ? setTimeout(run, delay) : setImmediate(run);
    return this;
  }

  private cancel(): void {
    if (this.handle === undefined) return;
    clearImmediate(this.handle as ReturnType<typeof setImmediate>);
    clearTimeout(this.handle as ReturnType<typeof setTimeout>);
    this.handle = undefined;
  }
}

/**
 * An RxJS scheduler that runs work on Node's check phase (`setImmediate`): after pending
 * I/O, unlike `asapScheduler` (a microtask, which starves sockets) and without the ≥1 ms
 * clamp of `asyncScheduler`. The training loop yields through it between epochs so an HTTP
 * server in the same process keeps answering.
 *
 * @example
 * scheduler.schedule(function () { doEpoch(); this.schedule(); });
 */
export const immediateScheduler: SchedulerLike = {
  now: () => Date.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    return new ImmediateAction(work).schedule(state, delay);
  },
};
