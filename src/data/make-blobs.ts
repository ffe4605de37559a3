import seedrandom from 'seedrandom';
import { UserError } from '../core/user-error.js';
import type { Dataset } from './dataset.js';

/** Options of {@link makeBlobs}. */
export interface BlobsOptions {
  /** Number of rows. Defaults to 4096. */
  readonly rows?: number;
  /** Number of features. Defaults to 64. */
  readonly features?: number;
  /** Number of classes (one Gaussian blob each). Defaults to 3. */
  readonly classes?: number;
  /** Std of each blob around its centre. Defaults to 1. */
  readonly clusterStd?: number;
  /** Centres are drawn uniformly from `[-centerBox, centerBox]` per feature. Defaults to 1. */
  readonly centerBox?: number;
  /** Seed of the generator. Defaults to 0. */
  readonly seed?: number | string;
  /**
   * Spread of the feature scales, in decades: feature j is multiplied by
   * 10^(decades·(j/(features−1) − ½)), so unstandardised features span `decades` orders of
   * magnitude (like raw sensor units). Defaults to 0 (all on one scale).
   */
  readonly decades?: number;
}

/**
 * A generated classification set of isotropic Gaussian blobs, like scikit-learn's
 * `make_blobs`: any size, so benchmarks can exercise the controller on a mid-size MLP
 * (the default 4096×64, 3 classes) without shipping a large file. Rows cycle through the
 * classes, so every class has ⌊rows/classes⌋ or one more rows.
 *
 * @example
 * const ds = makeBlobs({ rows: 1000, features: 8, classes: 4, seed: 1 });
 */
export function makeBlobs(options: BlobsOptions = {}): Dataset {
  const rows = positiveInt('rows', options.rows ?? 4096);
  const features = positiveInt('features', options.features ?? 64);
  const classes = positiveInt('classes', options.classes ?? 3);
  if (classes < 2) throw new UserError(`classes must be at least 2, got ${classes}`);
  if (rows < classes) throw new UserError(`rows must be at least classes (${classes}), got ${rows}`);
  const decades = options.decades ?? 0;
  if (!(decades >= 0 && decades <= 30)) throw new UserError(`decades must be between 0 and 30, got ${decades}`);
  const scale = Float64Array.from(
    { length: features },
    (_, f) => 10 ** (features > 1 ? decades * (f / (features - 1) - 0.5) : 0),
  );
  const clusterStd = options.clusterStd ?? 1;
  const centerBox = options.centerBox ?? 1;
  const rng = seedrandom(String(options.seed ?? 0));

  const centers = new Float64Array(classes * features);
  for (let i = 0; i < centers.length; i++) centers[i] = (rng() * 2 - 1) * centerBox;

  const x = new Float32Array(rows * features);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const c = r % classes;
    y[r] = c;
    for (let f = 0; f < features; f++) {
      x[r * features + f] = ((centers[c * features + f] as number) + clusterStd * gaussian(rng)) * (scale[f] as number);
    }
  }
  return {
    name: `blobs-${rows}x${features}x${classes}${decades > 0 ? `-${decades}d` : ''}`,
    featureNames: Array.from({ length: features }, (_, f) => `x${f}`),
    classNames: Array.from({ length: classes }, (_, c) => `blob_${c}`),
    rows,
    features,
    x,
    y,
  };
}

function positiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new UserError(`${field} must be a positive integer, got ${value}`);
  return value;
}

/** Box–Muller; one draw per call keeps the code short and the sequence seed-determined. */
function gaussian(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
