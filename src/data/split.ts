import seedrandom from 'seedrandom';
import { z } from 'zod';
import { UserError } from '../core/user-error.js';
import { bundledDataPath } from './bundled.js';
import type { Dataset, Split } from './dataset.js';
import { loadIris } from './datasets.js';
import { readUserFile } from './read-user-file.js';

/** Options of {@link splitDataset}. */
export interface SplitOptions {
  /** Fraction of rows that go to the test set, in (0, 1); rounded up, as scikit-learn does. Defaults to 0.2. */
  readonly testFraction?: number;
  /** Seed of the shuffle: the same seed always gives the same split. No default. */
  readonly seed: number | string;
  /** Keep every class's share (to within one row) in both parts. Defaults to false. */
  readonly stratify?: boolean;
}

/**
 * Splits a dataset into train and test rows with a seeded Fisher–Yates shuffle. Both
 * parts get at least one row. Row order within each part is the shuffled order.
 *
 * @example
 * const { train, test } = splitDataset(loadDataset('wine'), { seed: 7, stratify: true });
 */
export function splitDataset(ds: Dataset, options: SplitOptions): Split {
  const testFraction = options.testFraction ?? 0.2;
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new UserError(`testFraction must be in (0, 1), got ${String(testFraction)}`);
  }
  if (ds.rows < 2) throw new UserError(`dataset "${ds.name}" has ${ds.rows} row(s); a split needs at least 2`);
  const rng = seedrandom(String(options.seed));
  // The epsilon keeps 0.2 × 150 = 30.000000000000004-style products from rounding up.
  const nTest = Math.min(ds.rows - 1, Math.max(1, Math.ceil(testFraction * ds.rows - 1e-9)));

  if (!options.stratify) {
    const perm = shuffle(
      Array.from({ length: ds.rows }, (_, i) => i),
      rng,
    );
    return splitByIndices(ds, perm.slice(nTest), perm.slice(0, nTest));
  }

  const byClass: number[][] = ds.classNames.map(() => []);
  for (let i = 0; i < ds.rows; i++) byClass[ds.y[i] as number]?.push(i);
  const quota = largestRemainder(
    byClass.map((rows) => (rows.length * nTest) / ds.rows),
    nTest,
  );
  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((rows, c) => {
    const shuffled = shuffle(rows, rng);
    const take = quota[c] as number;
    test.push(...shuffled.slice(0, take));
    train.push(...shuffled.slice(take));
  });
  return splitByIndices(ds, shuffle(train, rng), shuffle(test, rng));
}

/**
 * Splits by explicit row indices (0-based), keeping their order. Indices must be in range
 * and no row may be in both parts; rows in neither are dropped.
 *
 * @example
 * splitByIndices(ds, [0, 1, 2], [3]);
 */
export function splitByIndices(ds: Dataset, trainIdx: readonly number[], testIdx: readonly number[]): Split {
  const owner = new Int8Array(ds.rows);
  const check = (indices: readonly number[], part: 'train' | 'test', mark: number): void => {
    if (indices.length === 0) throw new UserError(`${part} indices are empty`);
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= ds.rows) {
        throw new UserError(`${part} index ${i} is not a row of "${ds.name}" (0..${ds.rows - 1})`);
      }
      if (owner[i] !== 0 && owner[i] !== mark) throw new UserError(`row ${i} is in both train and test`);
      owner[i] = mark;
    }
  };
  check(trainIdx, 'train', 1);
  check(testIdx, 'test', 2);
  return { train: subset(ds, trainIdx), test: subset(ds, testIdx) };
}

const Rs42 = z.object({ train: z.array(z.int().nonnegative()), test: z.array(z.int().nonnegative()) });

/**
 * The seed program's split of Iris: the 120/30 rows that scikit-learn's
 * `train_test_split(X, y, test_size=0.2, random_state=42)` picks, in the order it returns
 * them, from the bundled `data/iris_split_rs42.json`.
 *
 * @example
 * irisSeedSplit().train.rows; // 120
 */
export function irisSeedSplit(): Split {
  const path = bundledDataPath('iris_split_rs42.json');
  const parsed = Rs42.safeParse(JSON.parse(readUserFile(path)));
  if (!parsed.success) throw new UserError(`${path}: not a {train, test} index file: ${parsed.error.message}`);
  return splitByIndices(loadIris(), parsed.data.train, parsed.data.test);
}

function subset(ds: Dataset, indices: readonly number[]): Dataset {
  const f = ds.features;
  const x = new Float32Array(indices.length * f);
  const y = new Int32Array(indices.length);
  indices.forEach((i, k) => {
    x.set(ds.x.subarray(i * f, (i + 1) * f), k * f);
    y[k] = ds.y[i] as number;
  });
  return { ...ds, rows: indices.length, x, y };
}

function shuffle<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Integer shares that sum to `total`, each the floor of its exact share plus leftovers by remainder. */
function largestRemainder(exact: readonly number[], total: number): number[] {
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) {
    const i = (order[k] as { i: number }).i;
    shares[i] = (shares[i] as number) + 1;
  }
  return shares;
}
