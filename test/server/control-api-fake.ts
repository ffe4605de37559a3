import { Registry } from 'prom-client';
import type { Band } from '../../src/core/band.js';
import type { InternalComponent } from '../../src/metrics/internal-component.js';
import type { RunState } from '../../src/core/run-state.js';
import type { RunControl, RunView } from '../../src/server/run-control.js';
import { startRunServer, type RunServer, type RunServerOptions } from '../../src/server/start-run-server.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import { silentLogger } from './silent-logger.js';

/** A {@link RunControl} that applies every call at once and records it. */
export interface FakeRun extends RunControl {
  /** Every call made through the handle, e.g. `['setBand 0.2 0.3', 'pause']`. */
  readonly calls: string[];
  state: RunState;
  last: EpochEvent | undefined;
}

/** A running fake run named `name`, band [0.3, 0.4], epoch 7. */
export function fakeRun(name = 'demo', state: RunState = 'running'): FakeRun {
  let band: Band = { lo: 0.3, hi: 0.4 };
  const fake: FakeRun = {
    run: name,
    calls: [],
    state,
    last: undefined,
    view: (): RunView => ({
      run: name,
      state: fake.state,
      epoch: 7,
      epochs: 0,
      band,
      sigma: 0.12,
      draws: 1,
      controller: 'pid',
      backend: 'cpu',
    }),
    lastEvent: () => fake.last,
    setBand: (b: Band) => {
      fake.calls.push(`setBand ${b.lo} ${b.hi}`);
      band = b;
    },
    pause: () => {
      fake.calls.push('pause');
      fake.state = 'paused';
    },
    resume: () => {
      fake.calls.push('resume');
      fake.state = 'running';
    },
    stop: () => {
      fake.calls.push('stop');
      fake.state = 'stopped';
    },
  };
  return fake;
}

/** The two places the one app runs; every server test runs against both. */
export const MODES = ['worker', 'main'] as const;
export type Mode = (typeof MODES)[number];

/** A run server on a real loopback port, the way a run starts it. */
export interface ServedApi {
  readonly url: string;
  readonly server: RunServer;
  /** Components counted as failed, in order. */
  readonly counted: InternalComponent[];
  readonly log: ReturnType<typeof silentLogger>;
}

/** Options of {@link serveControlApi}: the runs, the token, and any {@link RunServerOptions}. */
export type ServeOptions = Pick<RunServerOptions, 'runs' | 'token'> & Partial<Omit<RunServerOptions, 'log' | 'errors'>>;

/**
 * Starts `startRunServer` for `options.runs` on an ephemeral port, in `mode` (defaults to
 * `worker`, what a run uses), counting and logging into the returned arrays.
 */
export async function serveControlApi(options: ServeOptions, mode: Mode = 'worker'): Promise<ServedApi> {
  const counted: InternalComponent[] = [];
  const errors = { countError: (c: InternalComponent) => void counted.push(c) };
  const log = silentLogger();
  const server = await startRunServer({
    registry: new Registry(),
    mode,
    ephemeral: true,
    portExplicit: true,
    errors,
    log,
    ...options,
  });
  if (server === undefined) throw new Error('no server');
  if (server.mode !== mode)
    throw new Error(`asked for a ${mode} server, got ${server.mode}: ${JSON.stringify(log.lines)}`);
  return { url: server.url, server, counted, log };
}
