function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets `value` at a dotted key inside `target`, creating the sections on the way
 * (`model.learningRate` creates `model` when the base has none). The value replaces what
 * was there: sweeping `band` swaps the whole band object. Keys must already have been
 * checked against the config schema, which keeps `__proto__` and friends out.
 *
 * @example
 * const config = { model: { hidden: [10] } };
 * setDotted(config, 'model.learningRate', 0.01); // { model: { hidden: [10], learningRate: 0.01 } }
 */
export function setDotted(target: Record<string, unknown>, key: string, value: unknown): void {
  const segments = key.split('.');
  const last = segments.pop() as string;
  let node = target;
  for (const segment of segments) {
    const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (!isRecord(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[last] = value;
}
