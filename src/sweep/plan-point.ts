import fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { UserError } from '../core/user-error.js';
import { dataFilePath } from '../data/datasets.js';
import { runPaths } from '../store/run-directory.js';

/** What a sweep does with a point whose run directory may already hold something. */
export type PointPlan =
  /** Its run ended for good in an earlier session (`summary.json` says so): leave it. */
  | { readonly kind: 'done'; readonly state: 'finished' | 'diverged' }
  /**
   * It was started and did not end for good: continue it from its checkpoint, with `config`
   * carrying what the run recorded of its data (absolute path, SHA-256), so a data file changed
   * since is refused as `lossband run --resume` refuses it.
   */
  | { readonly kind: 'resume'; readonly config: ResolvedConfig }
  /** Never started: create its run directory. */
  | { readonly kind: 'fresh' };

/** Config keys that may differ between sessions of one run: where it lives and how it is served. */
const PER_SESSION = ['out', 'server'];

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'not valid JSON'})`);
  }
}

/** The first dotted key at which `a` and `b` differ. */
function firstDifference(a: unknown, b: unknown, at = ''): string {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const x = (a as Record<string, unknown>)[key];
      const y = (b as Record<string, unknown>)[key];
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, at ? `${at}.${key}` : key);
    }
  }
  return at || '(top level)';
}

/**
 * A config without what differs between sessions, and with what a run records of its data
 * (`data.sha256`; a CSV path made absolute, see `withDataOrigin`) put back as the sweep writes it.
 */
const comparable = (config: ResolvedConfig, sweepPath: string): unknown => {
  const copy: Record<string, unknown> = { ...config, data: { ...config.data } };
  for (const key of PER_SESSION) delete copy[key];
  const data = copy.data as { path?: string; sha256?: string };
  delete data.sha256;
  if (data.path !== undefined && data.path === dataFilePath(sweepPath)) data.path = sweepPath;
  return JSON.parse(JSON.stringify(copy)) as unknown;
};

/**
 * Decides how point `config` continues from what its run directory `config.out` holds:
 * `done` when `summary.json` says finished (with all of `config.epochs`) or diverged — a
 * diverged run would only diverge again; `resume` when `config.json` is there; else `fresh`.
 *
 * A directory whose `config.json` records another experiment (anything but `out`, `server`
 * and what the run recorded of its data differs, e.g. the sweep file changed) is refused with a one-line `UserError`
 * rather than continued with a config it was not started with.
 *
 * @example
 * planPoint(pointConfig(points[2], 'runs/iris-bands', server)).kind; // 'resume'
 */
export function planPoint(config: ResolvedConfig): PointPlan {
  const paths = runPaths(config.out);
  const recorded = readJson(paths.config) as ResolvedConfig | undefined;
  if (recorded === undefined) return { kind: 'fresh' };
  const [was, now] = [comparable(recorded, config.data.path), comparable(config, config.data.path)];
  if (!isDeepStrictEqual(was, now)) {
    const key = firstDifference(was, now);
    throw new UserError(
      `${paths.config}: holds run ${config.name} with another config (${key} differs); remove ${paths.dir} or choose another --out`,
    );
  }
  const summary = readJson(paths.summary) as { state?: unknown; epochs?: unknown } | undefined;
  if (summary?.state === 'diverged') return { kind: 'done', state: 'diverged' };
  if (
    summary?.state === 'finished' &&
    typeof summary.epochs === 'number' &&
    config.epochs > 0 &&
    summary.epochs >= config.epochs
  ) {
    return { kind: 'done', state: 'finished' };
  }
  return {
    kind: 'resume',
    config: {
      ...config,
      data: { ...config.data, path: recorded.data?.path ?? config.data.path, sha256: recorded.data?.sha256 },
    },
  };
}
