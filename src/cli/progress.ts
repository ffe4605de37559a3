import cliProgress from 'cli-progress';
import type { EpochEvent } from '../core/epoch-event.js';
import type { EpochSink } from '../core/epoch-sink.js';

/** How a run reports progress on the terminal. */
export type ProgressMode = 'seed' | 'bar' | 'lines' | 'quiet';

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly mode: ProgressMode;
  /** Epochs the run will train; 0 = until stopped. */
  readonly epochs: number;
  /** Where lines go. Defaults to `process.stdout`. */
  readonly out?: NodeJS.WriteStream;
}

/** Receives every epoch; `stop` restores the terminal. */
export type Progress = EpochSink;

const fmt = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

function line(e: EpochEvent, epochs: number): string {
  const of = epochs > 0 ? `/${epochs}` : '';
  return (
    `epoch ${e.epoch}${of}  loss ${fmt(e.loss)}  smoothed ${fmt(e.smoothedLoss)}  band [${e.band.lo}, ${e.band.hi}] ${e.inBand ? 'in ' : 'out'}  σ ${e.sigma.toPrecision(3)}  draws ${e.draws}  val acc ${fmt(e.valAccuracy, 3)}` +
    `${e.bandStatus?.startsWith('unreachable') ? `  ${e.bandStatus}` : ''}${e.bandTooNarrow ? '  band too narrow' : ''}`
  );
}

/**
 * Progress for `lossband run`: the seed's `Epoch i/N Loss: x` lines, a live bar on a TTY,
 * plain periodic lines otherwise (about 20 per run, every 1000 epochs when unbounded), or
 * nothing with `--quiet`.
 *
 * @example
 * const p = createProgress({ mode: process.stdout.isTTY ? 'bar' : 'lines', epochs: 2000 });
 */
export function createProgress(options: ProgressOptions): Progress {
  const out = options.out ?? process.stdout;
  const { epochs } = options;
  switch (options.mode) {
    case 'quiet':
      return { epoch: () => undefined, stop: () => undefined };
    case 'seed':
      return { epoch: (e) => out.write(`Epoch ${e.epoch}/${epochs} Loss: ${e.loss}\n`), stop: () => undefined };
    case 'lines': {
      const every = epochs > 0 ? Math.max(1, Math.round(epochs / 20)) : 1000;
      let paused = false;
      return {
        state: (s) => {
          if (s === 'paused') out.write('paused (POST …/resume to continue)\n');
          else if (s === 'running' && paused) out.write('resumed\n');
          paused = s === 'paused';
        },
        epoch: (e) => {
          if (e.epoch % every === 0 || e.epoch === epochs) out.write(line(e, epochs) + '\n');
        },
        stop: () => undefined,
      };
    }
    case 'bar': {
      const bar = new cliProgress.SingleBar(
        {
          stream: out,
          format: epochs > 0 ? '{bar} {value}/{total} | {status}' : 'epoch {value} | {status}',
          hideCursor: true,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      // Started on the first epoch, so the run's name, directory and URL are the first screen.
      let started = false;
      // The bar redraws at 10 fps anyway; formatting the status every epoch (~10 µs) would
      // cost a small model's epoch several per cent.
      let next = 0;
      let last: EpochEvent | undefined;
      let paused = false;
      const draw = (e: EpochEvent): void => {
        if (!started) {
          started = true;
          bar.start(epochs > 0 ? epochs : 1, 0, { status: '' });
        }
        bar.update(e.epoch, { status: (paused ? 'PAUSED  ' : '') + line(e, epochs).replace(/^epoch \S+\s+/, '') });
      };
      return {
        state: (s) => {
          paused = s === 'paused';
          if (last) draw(last);
        },
        epoch: (e) => {
          last = e;
          const now = Date.now();
          if (now < next && e.epoch !== epochs) return;
          next = now + 100;
          draw(e);
        },
        stop: () => {
          if (last) draw(last);
          if (started) bar.stop();
        },
      };
    }
  }
}
