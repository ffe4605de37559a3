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
 * A band change resolves once the worker has written it to the run's `control.json` (as in a
 * single run, the API answers only then). Pause and resume show at once in the view, so the
 * API's answer says what was accepted; the worker's next post confirms it.
 *
 * @example
 * const proxy = new RunProxy(config, (command) => thread.command(config.name, command));
 * host.add(proxy);            // listed by /api/runs
 * proxy.update(posted);       // on each worker post
 */
export class RunProxy implements RunControl {
  readonly run: string;
  private current: RunView;
  private last: EpochEvent | undefined;

  constructor(
    config: ResolvedConfig,
    /** Forwards a request; resolves with whether the run took it. */
    private readonly send: (command: PointCommand) => Promise<boolean>,
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

  /** Resolves once the run has persisted the band; a run that ended first keeps its band. */
  async setBand(band: Band): Promise<void> {
    if (await this.send({ action: 'band', band })) this.current = { ...this.current, band };
  }

  pause(): void {
    void this.send({ action: 'pause' });
    if (this.current.state === 'running') this.current = { ...this.current, state: 'paused' };
  }

  resume(): void {
    void this.send({ action: 'resume' });
    if (this.current.state === 'paused') this.current = { ...this.current, state: 'running' };
  }

  stop(): void {
    void this.send({ action: 'stop' });
  }
}
