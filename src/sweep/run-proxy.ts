import type { ResolvedConfig } from '../config/resolved-config.js';
import type { Band } from '../core/band.js';
import type { EpochEvent } from '../core/epoch-event.js';
import type { RunState } from '../core/run-state.js';
import type { RunControl, RunView } from '../server/run-control.js';
import type { PointCommand, PostedRun } from './sweep-protocol.js';

const ENDED: readonly RunState[] = ['finished', 'stopped', 'diverged'];

/**
 * The control API's handle on a run that trains on a worker thread. Reads answer from the
 * view and event the worker posted last (at most ~250 ms old); requests are forwarded to the
 * worker, which applies them at the run's next epoch boundary, exactly as in a single run.
 * The view shows a request's effect at once (a new band, `paused`), so the API's answer
 * says what was accepted; the worker's next post confirms it.
 *
 * Unlike a run in the same thread, a band change is written to the run's `control.json` by
 * the worker after the API has answered (within an epoch), not before.
 *
 * @example
 * const proxy = new RunProxy(config, (command) => worker.command(config.name, command));
 * host.add(proxy);            // listed by /api/runs
 * proxy.update(posted);       // on each worker post
 */
export class RunProxy implements RunControl {
  readonly run: string;
  private current: RunView;
  private last: EpochEvent | undefined;

  constructor(
    config: ResolvedConfig,
    private readonly send: (command: PointCommand) => void,
  ) {
    this.run = config.name;
    const { noise } = config;
    this.current = {
      run: config.name,
      state: 'starting',
      epoch: 0,
      epochs: config.epochs,
      band: config.band,
      sigma: noise.sigma ?? noise.min,
      draws: typeof noise.draws === 'number' ? noise.draws : 1,
      controller: config.controller.type,
      backend: config.backend,
    };
  }

  /** Takes the worker's latest picture of the run. */
  update(posted: PostedRun): void {
    this.current = posted.view;
    this.last = posted.lastEvent;
  }

  /**
   * Marks a run whose worker gave up on it (an error, a lost thread) as ended: the API stops
   * offering changes. A run that had ended keeps its state.
   */
  abandon(): void {
    if (!ENDED.includes(this.current.state)) this.current = { ...this.current, state: 'stopped' };
  }

  view(): RunView {
    return this.current;
  }

  lastEvent(): EpochEvent | undefined {
    return this.last;
  }

  setBand(band: Band): void {
    this.send({ action: 'band', band });
    this.current = { ...this.current, band };
  }

  pause(): void {
    this.send({ action: 'pause' });
    if (this.current.state === 'running') this.current = { ...this.current, state: 'paused' };
  }

  resume(): void {
    this.send({ action: 'resume' });
    if (this.current.state === 'paused') this.current = { ...this.current, state: 'running' };
  }

  stop(): void {
    this.send({ action: 'stop' });
  }
}
