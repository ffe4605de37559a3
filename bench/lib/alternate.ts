import { median, medianRatio } from './stats.js';

/** Samples of an A/B comparison run in alternation. */
export interface AbResult {
  readonly a: number[];
  readonly b: number[];
  readonly medianA: number;
  readonly medianB: number;
  /** Median of the per-pair ratios A/B (pairs share the machine's state at that moment). */
  readonly ratio: number;
}

/**
 * Runs `a` and `b` alternately (ABBA order, so neither always goes first) `reps` times each
 * and returns their samples. Each function returns its own measurement (e.g. ms/epoch).
 */
export async function alternate(
  reps: number,
  a: () => Promise<number> | number,
  b: () => Promise<number> | number,
): Promise<AbResult> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return { a: as, b: bs, medianA: median(as), medianB: median(bs), ratio: medianRatio(as, bs) };
}

/** Calls `fn` `n` times and returns the per-call times in ms. */
export async function timeEach(n: number, fn: () => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Runs every function once per repetition, rotating the order each repetition so none always
 * runs first; returns each function's samples.
 */
export async function interleave(reps: number, fns: readonly (() => Promise<number> | number)[]): Promise<number[][]> {
  const out: number[][] = fns.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < fns.length; k++) {
      const i = (k + r) % fns.length;
      (out[i] as number[]).push(await (fns[i] as () => Promise<number> | number)());
    }
  }
  return out;
}
