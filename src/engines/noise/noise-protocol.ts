/** Shared between the main thread and the noise worker (plain data, no tfjs). */

/** Control words in the shared Int32Array. */
export const CTRL = {
  /** 0 while the worker fills a block, 1 when the block and its end state are ready. */
  READY: 0,
  /** Length of the block being prepared. */
  LENGTH: 1,
  /** xorshift128 state after the block (four words). */
  STATE: 2,
} as const;

/** Words in the control array. */
export const CTRL_WORDS = 6;

/** A request: fill `length` N(0, 1) values into `samples`, starting from `words`. */
export interface NoiseRequest {
  readonly control: SharedArrayBuffer;
  readonly samples: SharedArrayBuffer;
  readonly length: number;
  readonly words: readonly [number, number, number, number];
}
