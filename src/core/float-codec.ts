/** A float32 array as base64 of its little-endian bytes: exact, and 4/3 the raw size. */
export type EncodedFloats = string;

/**
 * Encodes a Float32Array exactly, for checkpoints that must resume bit-identically.
 *
 * @example
 * encodeFloats(new Float32Array([1])); // 'AACAPw=='
 */
export function encodeFloats(values: Float32Array): EncodedFloats {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/**
 * Decodes what {@link encodeFloats} wrote; throws a `RangeError` when the length is not `expected`.
 *
 * @example
 * decodeFloats('AACAPw==', 1); // Float32Array [1]
 */
export function decodeFloats(encoded: EncodedFloats, expected: number): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.byteLength !== expected * 4)
    throw new RangeError(`expected ${expected} floats, found ${bytes.byteLength / 4}`);
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
