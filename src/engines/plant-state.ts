import type { GaussianState } from './noise/gaussian.js';

/** A float32 array as base64 of its little-endian bytes: exact, and 4/3 the raw size. */
export type EncodedFloats = string;

/** Everything a {@link TfjsPlant} needs to continue bit-exactly: weights, optimiser, noise stream. */
export interface PlantState {
  /** Model variables in layer order (W1, b1, W2, b2, …). */
  readonly weights: readonly EncodedFloats[];
  readonly optimizer: {
    readonly type: 'adam' | 'sgd';
    readonly iterations: number;
    /** Adam's first and second moments (per variable) and its running β powers. */
    readonly m?: readonly EncodedFloats[];
    readonly v?: readonly EncodedFloats[];
    readonly accBeta1?: number;
    readonly accBeta2?: number;
  };
  readonly noise: GaussianState;
}

/** Encodes a Float32Array exactly. */
export function encodeFloats(values: Float32Array): EncodedFloats {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Decodes what {@link encodeFloats} wrote; throws when the length is not `expected`. */
export function decodeFloats(encoded: EncodedFloats, expected: number): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.byteLength !== expected * 4) throw new RangeError(`expected ${expected} floats, found ${bytes.byteLength / 4}`);
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
