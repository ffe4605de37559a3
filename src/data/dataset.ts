import type { DataOrigin } from './read-data-file.js';

/**
 * A classification table in memory: `rows × features` row-major float32 features and
 * integer class labels in `[0, classNames.length)`.
 */
export interface Dataset {
  /** Short name: `iris`, or the CSV file's base name. */
  readonly name: string;
  readonly featureNames: readonly string[];
  readonly classNames: readonly string[];
  readonly rows: number;
  readonly features: number;
  /** Row-major features, length `rows * features`. */
  readonly x: Float32Array;
  /** Class index of each row, length `rows`. */
  readonly y: Int32Array;
  /** The file it was read from (absolute path, SHA-256), for a table loaded from a CSV file. */
  readonly origin?: DataOrigin | undefined;
}

/** A train/test split of one dataset. */
export interface Split {
  readonly train: Dataset;
  readonly test: Dataset;
}
