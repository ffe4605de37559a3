import seedrandom from 'seedrandom';

/** Number of distinct combinations of `choices` (the product of the list lengths). */
export function choiceSpaceSize(choices: Readonly<Record<string, readonly unknown[]>>): number {
  return Object.values(choices).reduce((n, values) => n * values.length, 1);
}

/**
 * Draws `count` distinct combinations from `choices`, one value per key, with a seeded
 * generator: the same choices, count and seed always give the same picks in the same order.
 *
 * Combinations are numbered in mixed radix (the first key is the most significant digit)
 * and `count` distinct numbers are drawn with Floyd's algorithm, so no combination repeats
 * and nothing proportional to the (possibly huge) space is ever built.
 *
 * @example
 * randomPicks({ 'model.learningRate': [0.001, 0.01, 0.1], seed: [1, 2] }, 2, 7);
 * // e.g. [{ 'model.learningRate': 0.1, seed: 1 }, { 'model.learningRate': 0.001, seed: 2 }]
 */
export function randomPicks(
  choices: Readonly<Record<string, readonly unknown[]>>,
  count: number,
  seed: number | string,
): Record<string, unknown>[] {
  const size = choiceSpaceSize(choices);
  if (!Number.isSafeInteger(size)) throw new RangeError(`choice space too large (${size} combinations)`);
  if (count > size) throw new RangeError(`count ${count} exceeds the ${size} distinct combinations`);
  const rng = seedrandom.alea(`lossband-sweep:${String(seed)}`);
  const picked = new Set<number>();
  for (let j = size - count; j < size; j++) {
    const t = Math.floor(rng.double() * (j + 1));
    picked.add(picked.has(t) ? j : t);
  }
  const keys = Object.keys(choices);
  return [...picked].map((number) => {
    const pick: Record<string, unknown> = {};
    let rest = number;
    for (let k = keys.length - 1; k >= 0; k--) {
      const key = keys[k] as string;
      const values = choices[key] as readonly unknown[];
      pick[key] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    // Re-insert in file order: the run-name slug and the CSV columns follow it.
    return Object.fromEntries(keys.map((key) => [key, pick[key]]));
  });
}
