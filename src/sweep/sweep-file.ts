import { z } from 'zod';
import { configSchema } from '../config/schema.js';

/**
 * Most points one sweep may expand to. A grid of ten keys with ten values each is 10^10
 * runs: the cap turns that typo into an error instead of an out-of-memory crash. It is also
 * far below the 10^5 completions an Indexed Job accepts with a per-index backoff limit.
 */
export const MAX_SWEEP_POINTS = 10_000;

/**
 * What a sweep name may look like. Run names are `<sweep>-<index>-<slug>` and must fit the
 * 64-character run-name rule, so the sweep name keeps at most 40 of them; it starts and ends
 * with a letter or digit, so it is also a valid Kubernetes label value.
 */
export const SWEEP_NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,38}[A-Za-z0-9])?$/;

/** A dotted config key such as `band`, `controller.type` or `model.learningRate`. */
export const DOTTED_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

const dottedKey = z.string().regex(DOTTED_KEY_PATTERN, 'a dotted config key such as controller.type');
const values = z.array(z.unknown()).min(1, 'at least one value').max(MAX_SWEEP_POINTS);

/**
 * A sweep file as the user writes it (YAML or JSON):
 *
 * ```yaml
 * name: iris-bands            # optional; defaults to the file name
 * base:                       # a run config, the same keys as `lossband run --config`
 *   epochs: 2000
 * grid:                       # cartesian product, first key varies slowest
 *   band: [{lo: 0.3, hi: 0.4}, {lo: 0.2, hi: 0.3}]
 *   controller.type: [pid, hysteresis]
 * random:                     # optional: `count` distinct seeded picks, crossed with the grid
 *   count: 3
 *   seed: 7
 *   choices:
 *     model.learningRate: [0.003, 0.01, 0.03]
 * ```
 *
 * `base` may not set `name`, `out` or `token`: the sweep names each run, the CLI places
 * its directory, and a token never belongs in a file that is shipped (e.g. as a ConfigMap).
 */
export const sweepFileSchema = z.strictObject({
  name: z
    .string()
    .regex(
      SWEEP_NAME_PATTERN,
      'letters, digits, ".", "_" or "-", at most 40, starting and ending with a letter or digit',
    )
    .optional(),
  base: configSchema.optional(),
  grid: z.record(dottedKey, values).optional(),
  random: z
    .strictObject({
      count: z.number().int().min(1).max(MAX_SWEEP_POINTS),
      /** Seed of the picks. Defaults to 0. */
      seed: z.union([z.number().int(), z.string().min(1).max(64)]).optional(),
      choices: z.record(dottedKey, values),
    })
    .optional(),
});

/** A validated sweep file. */
export type SweepFile = z.infer<typeof sweepFileSchema>;

/** A path inside the sweep file, e.g. `['grid', 'model.learningRate', 1]`. */
export type SweepPath = readonly (string | number)[];

/**
 * A parsed, validated sweep file together with what error messages need: where each of its
 * keys sits in the text.
 */
export interface LoadedSweep {
  /** The file as named in messages. */
  readonly file: string;
  /** The sweep's name: the file's `name:`, else derived from the file name. */
  readonly name: string;
  readonly spec: SweepFile;
  /** The exact text, so it can be shipped as is (the Kubernetes ConfigMap does). */
  readonly text: string;
  /** `file:line:column` of a path in the file, or of its nearest present ancestor. */
  readonly where: (path: SweepPath) => string;
}
