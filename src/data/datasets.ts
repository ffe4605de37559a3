import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../core/user-error.js';
import { BUNDLED_DATASETS, bundledDataPath } from './bundled.js';
import { loadCsv } from './csv-loader.js';
import type { Dataset } from './dataset.js';
import { makeBlobs } from './make-blobs.js';

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Label column of a CSV file. Defaults to the bundled set's label, or a CSV's last column. */
  readonly label?: string | undefined;
  /** SHA-256 (hex) a CSV file must have (see `loadCsv`). Defaults to none. */
  readonly sha256?: string | undefined;
}

const BLOBS = /^blobs(?::(\d+)x(\d+)x(\d+)(?::(\d+))?)?$/;

/**
 * Loads a dataset by spec: a bundled name (`iris`, `wine`, `breast-cancer`, `digits`), a generated
 * set (`blobs` = 4096×64 with 3 classes, `blobs:ROWSxFEATURESxCLASSES`, or with `:DECADES`
 * appended, features whose scales span that many orders of magnitude), or otherwise
 * a CSV path (write `./iris` for a file that shares a bundled name).
 *
 * @example
 * loadDataset('wine').rows;           // 178
 * loadDataset('digits').features;     // 64 (8×8 pixels, row-major)
 * loadDataset('runs/my.csv', { label: 'kind' });
 */
export function loadDataset(spec: string, options: LoadDatasetOptions = {}): Dataset {
  const bundled = Object.hasOwn(BUNDLED_DATASETS, spec) ? BUNDLED_DATASETS[spec] : undefined;
  if (bundled !== undefined) {
    return loadCsv(bundledDataPath(bundled.file), {
      label: options.label ?? bundled.label,
      name: spec,
      sha256: options.sha256,
    });
  }
  const blobs = BLOBS.exec(spec);
  if (blobs !== null) {
    const [, rows, features, classes, decades] = blobs;
    return rows === undefined
      ? makeBlobs()
      : makeBlobs({
          rows: Number(rows),
          features: Number(features),
          classes: Number(classes),
          decades: Number(decades ?? 0),
        });
  }
  if (!existsSync(spec) && !/[./\\]/.test(spec)) {
    const names = [...Object.keys(BUNDLED_DATASETS), 'blobs'].join(', ');
    throw new UserError(`dataset "${spec}": not a bundled dataset (${names}) and no such file`);
  }
  return loadCsv(spec, { label: options.label, sha256: options.sha256 });
}

/**
 * The absolute path of the CSV file a dataset spec names, or undefined for a bundled or
 * generated set. A run records it, so a relative `--data` resumes from any directory.
 *
 * @example
 * dataFilePath('iris');        // undefined
 * dataFilePath('data/x.csv');  // '/home/me/project/data/x.csv'
 */
export function dataFilePath(spec: string): string | undefined {
  if (Object.hasOwn(BUNDLED_DATASETS, spec) || BLOBS.test(spec)) return undefined;
  return resolve(spec);
}

/**
 * Fisher's Iris, as bundled: 150 rows × 4 features (cm), classes setosa, versicolor,
 * virginica, in scikit-learn's `load_iris()` row order.
 *
 * @example
 * loadIris().classNames; // ['setosa', 'versicolor', 'virginica']
 */
export function loadIris(): Dataset {
  return loadDataset('iris');
}
