import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../core/worker-thread.js';
import { Gaussian, type GaussianState } from './gaussian.js';
import { CTRL, CTRL_WORDS, type NoiseRequest } from './noise-protocol.js';

/** Options of {@link NoiseSource}. */
export interface NoiseSourceOptions {
  /** Prefetch blocks of at least this many samples on a worker thread. Defaults to 65536. */
  readonly prefetchMin?: number;
  /** Longest wait for a block before falling back to the main thread, in ms. Defaults to 5000. */
  readonly waitMs?: number;
}

/**
 * The noise actuator's random numbers for large batches: a {@link Gaussian} whose next
 * block is generated on a worker thread while the current epoch trains, so the epoch only
 * pays for applying x + σ·z. The numbers are exactly those the plain generator would give —
 * the worker starts from the state after the last consumed block — so runs stay
 * reproducible and checkpoints save the consumed state. A block whose size no longer fits
 * (K changed), a missing or dead worker, or a timeout falls back to generating in place.
 *
 * @example
 * const noise = new NoiseSource(new Gaussian('42:noise'));
 * noise.addScaled(x, 0.3, out); // out = x + 0.3·z, z prefetched while the last epoch ran
 */
export class NoiseSource {
  private worker: Worker | undefined;
  private broken = false;
  private control = new Int32Array(new SharedArrayBuffer(CTRL_WORDS * 4));
  private samples: SharedArrayBuffer | undefined;
  /** Length of the block the worker is preparing; 0 when none. */
  private pending = 0;
  private readonly prefetchMin: number;
  private readonly waitMs: number;

  constructor(
    private readonly local: Gaussian,
    options: NoiseSourceOptions = {},
  ) {
    this.prefetchMin = options.prefetchMin ?? 65536;
    this.waitMs = options.waitMs ?? 5000;
  }

  /** `out` = K stacked copies of `x`, each value plus σ·z, σ times `scale` if given (see {@link Gaussian.addScaled}). */
  addScaled(x: Float32Array, sigma: number, out: Float32Array, scale?: Float32Array): void {
    const z = this.take(out.length);
    if (z) {
      const n = x.length;
      for (let base = 0; base < out.length; base += n) {
        if (scale === undefined)
          for (let j = 0; j < n; j++) out[base + j] = (x[j] as number) + sigma * (z[base + j] as number);
        else
          for (let j = 0; j < n; j++)
            out[base + j] = (x[j] as number) + sigma * (scale[j] as number) * (z[base + j] as number);
      }
    } else this.local.addScaled(x, sigma, out, scale);
    if (out.length >= this.prefetchMin) this.request(out.length);
  }

  /** Fills `out` with N(0, 1) samples (generated in place). */
  fill(out: Float32Array): void {
    this.drain();
    this.local.fill(out);
  }

  /** Uniform sample in [0, 1) from the same stream. */
  uniform(): number {
    this.drain();
    return this.local.uniform();
  }

  /** State after the samples consumed so far (a prefetched block is not consumed). */
  state(): GaussianState {
    return this.local.state();
  }

  restore(state: GaussianState): void {
    this.drain();
    this.local.restore(state);
  }

  dispose(): void {
    this.pending = 0;
    void this.worker?.terminate();
    this.worker = undefined;
  }

  /** The prefetched block if it has `length` samples; its end state becomes the consumed state. */
  private take(length: number): Float32Array | undefined {
    if (this.pending === 0) return undefined;
    if (this.pending !== length || !this.await()) {
      this.drain();
      return undefined;
    }
    this.pending = 0;
    const c = this.control;
    this.local.restore({
      words: [
        c[CTRL.STATE] as number,
        c[CTRL.STATE + 1] as number,
        c[CTRL.STATE + 2] as number,
        c[CTRL.STATE + 3] as number,
      ],
    });
    return new Float32Array(this.samples as SharedArrayBuffer, 0, length);
  }

  /** Waits for the pending block; false (and prefetching off) when the worker does not deliver. */
  private await(): boolean {
    if (Atomics.wait(this.control, CTRL.READY, 0, this.waitMs) === 'timed-out') {
      this.broken = true;
      this.dispose();
      return false;
    }
    return true;
  }

  /** Lets a pending block finish (the buffer is shared) and forgets it. */
  private drain(): void {
    if (this.pending !== 0) this.await();
    this.pending = 0;
  }

  private request(length: number): void {
    if (this.broken) return;
    try {
      this.worker ??= this.start();
      if (!this.samples || this.samples.byteLength < length * 4) this.samples = new SharedArrayBuffer(length * 4);
      Atomics.store(this.control, CTRL.READY, 0);
      const request: NoiseRequest = {
        control: this.control.buffer as SharedArrayBuffer,
        samples: this.samples,
        length,
        words: this.local.state().words,
      };
      this.worker.postMessage(request);
      this.pending = length;
    } catch {
      this.broken = true;
      this.dispose();
    }
  }

  private start(): Worker {
    const worker = startModuleWorker(import.meta.url, 'noise-worker');
    worker.unref();
    worker.on('error', () => {
      // A dead worker delivers nothing: generation continues in place from the consumed state.
      this.broken = true;
      this.pending = 0;
    });
    return worker;
  }
}
