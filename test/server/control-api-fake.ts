import { Registry } from 'prom-client';
import type { Band } from '../../src/core/band.js';
import type { InternalComponent } from '../../src/metrics/internal-component.js';
import type { RunState } from '../../src/core/run-state.js';
import { createApp } from '../../src/server/create-app.js';
import { createControlApi, type ControlApiOptions } from '../../src/server/control-api.js';
import type { RunControl, RunView } from '../../src/server/run-control.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
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

/** A control API on a real loopback server, the way a run mounts it. */
export interface ServedApi {
  readonly url: string;
  readonly server: RunningServer;
  /** Components counted as failed, in order. */
  readonly counted: InternalComponent[];
  readonly log: ReturnType<typeof silentLogger>;
}

/** Serves `createControlApi(options)` at `/api` of a `createApp` app on an ephemeral port. */
export async function serveControlApi(options: Omit<ControlApiOptions, 'errors' | 'log'>): Promise<ServedApi> {
  const counted: InternalComponent[] = [];
  const errors = { countError: (c: InternalComponent) => void counted.push(c) };
  const log = silentLogger();
  const router = createControlApi({ ...options, errors, log });
  const app = createApp({ registry: new Registry(), routes: [{ path: '/api', router }], errors, log });
  const server = await startServer({ app, ephemeral: true, portExplicit: true, log });
  if (server === undefined) throw new Error('no server');
  return { url: server.url, server, counted, log };
}
