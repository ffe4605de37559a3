import { z } from 'zod';
import { bandProblem } from '../core/band.js';

const finite = z.number();
const nonNegative = finite.nonnegative();
const positive = finite.positive();
const int = z.number().int();

export { MIN_BAND_WIDTH } from '../core/band.js';

/** A band object `{lo, hi}` valid under the one band rule, `bandProblem`. */
export const bandSchema = z.strictObject({ lo: finite, hi: finite }).superRefine((b, ctx) => {
  const problem = bandProblem(b);
  if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: [problem.key] });
});

/** What a run name may look like (it becomes a metrics label, a directory and a URL segment). */
export const RUN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** An API bearer token: 16–256 printable ASCII characters, no spaces. */
export const tokenSchema = z
  .string()
  .min(16, 'at least 16 characters')
  .max(256, 'at most 256 characters')
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/**
 * The run configuration as a user writes it (YAML/JSON file or flags). Every key is
 * optional: a preset supplies the rest. Keys mirror the CLI flags.
 */
export const configSchema = z.strictObject({
  name: z.string().regex(RUN_NAME_PATTERN, 'letters, digits, ".", "_" or "-", at most 64').optional(),
  preset: z.enum(['default', 'seed']).optional(),
  epochs: int.min(0).optional(),
  seed: z.union([int, z.string().min(1).max(64)]).optional(),
  backend: z.enum(['auto', 'js', 'node', 'wasm', 'cpu']).optional(),
  out: z.string().min(1).optional(),
  data: z
    .strictObject({
      path: z.string().min(1),
      label: z.string().min(1),
      testFraction: positive.lt(1),
      standardize: z.boolean(),
      split: z.enum(['random', 'seed']),
      /** SHA-256 (hex) the data file must have; a run records its file's here, so resume refuses a changed file. */
      sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits (a SHA-256)'),
    })
    .partial()
    .optional(),
  model: z
    .strictObject({
      hidden: z.array(int.positive().max(65536)).min(1).max(16),
      optimizer: z.enum(['adam', 'sgd']),
      learningRate: positive,
      batchSize: int.positive().nullable(),
    })
    .partial()
    .optional(),
  noise: z
    .strictObject({
      sigma: nonNegative,
      min: positive,
      max: positive,
      draws: z.union([int.min(1).max(64), z.literal('auto')]),
      maxDraws: int.min(1).max(64),
      scale: z.enum(['absolute', 'feature']),
      budget: finite.min(1).max(1000),
      antithetic: z.boolean(),
    })
    .partial()
    .optional(),
  band: bandSchema.optional(),
  controller: z
    .strictObject({
      type: z.enum(['pid', 'hysteresis', 'fixed', 'flooding']),
      signal: z.enum(['noisy', 'clean', 'validation']),
      filterAlpha: positive.max(1),
      kp: nonNegative,
      ki: nonNegative,
      kd: nonNegative,
      derivativeFilter: positive.max(1),
      maxRate: positive,
      deadband: nonNegative.lt(0.5),
      gainGrowth: nonNegative,
      maxGainFactor: finite.min(1),
      referenceGain: positive,
      lead: nonNegative,
      factor: finite.gt(1),
      dwell: int.min(0),
      level: nonNegative,
    })
    .partial()
    .optional(),
  server: z
    .strictObject({ port: int.min(0).max(65535), host: z.string().min(1) })
    .partial()
    .optional(),
  checkpointEvery: int.min(0).optional(),
  /** What events.jsonl keeps: every `every`-th epoch; rotated into gzip segments past `rotateBytes`. */
  events: z
    .strictObject({
      every: int.min(1).max(1_000_000),
      rotateBytes: int.min(0).max(2 ** 40),
    })
    .partial()
    .optional(),
  /** What is measured for the metrics beyond the epoch itself. */
  metrics: z
    .strictObject({
      /** Measure the clean (noise-free) training loss every N-th epoch; 0 = never (always with signal: clean). */
      cleanEvery: int.min(0).max(1_000_000),
    })
    .partial()
    .optional(),
  /** Bearer token of the control API (prefer the LOSSBAND_TOKEN environment variable). */
  token: tokenSchema.optional(),
  onNonFinite: z.enum(['stop', 'rollback']).optional(),
});

/** A config as written by the user: a partial, validated {@link ResolvedConfig}. */
export type ConfigInput = z.infer<typeof configSchema>;
