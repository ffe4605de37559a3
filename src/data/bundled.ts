import { fileURLToPath } from 'node:url';

/** A dataset shipped in the package's `data/` folder. */
export interface BundledDataset {
  /** File name inside `data/`. */
  readonly file: string;
  /** Header name of its label column. */
  readonly label: string;
}

/** The datasets shipped with lossband, by the name `loadDataset` accepts. */
export const BUNDLED_DATASETS: Readonly<Record<string, BundledDataset>> = Object.freeze({
  iris: { file: 'iris.csv', label: 'species' },
  wine: { file: 'wine.csv', label: 'class' },
  'breast-cancer': { file: 'breast_cancer.csv', label: 'diagnosis' },
  digits: { file: 'digits.csv', label: 'digit' },
});

/**
 * Absolute path of a file in the package's `data/` folder. Resolved from this module's
 * URL: `src/data/` (tsx, vitest) and `dist/data/` (published build) both sit two levels
 * below the package root, so one relative URL serves both.
 *
 * @example
 * bundledDataPath('iris.csv'); // '/…/lossband/data/iris.csv'
 */
export function bundledDataPath(file: string): string {
  return fileURLToPath(new URL(`../../data/${file}`, import.meta.url));
}
