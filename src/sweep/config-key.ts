import { z } from 'zod';
import { configSchema } from '../config/schema.js';

/**
 * Why a dotted key cannot be swept, or `undefined` when it names a key of the run config
 * (`band`, `band.lo`, `controller.type`, `model.hidden`, …). Walking the schema itself keeps
 * the sweep in step with every key the run config gains, and an unknown key is named at the
 * key rather than at the first point that happens to use it.
 *
 * @example
 * configKeyProblem('model.lerningRate'); // 'unknown config key'
 */
export function configKeyProblem(key: string): string | undefined {
  let schema: z.ZodType = configSchema;
  for (const segment of key.split('.')) {
    while (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) schema = schema.unwrap() as z.ZodType;
    if (!(schema instanceof z.ZodObject)) return 'unknown config key (its parent is not a section)';
    const shape = schema.shape as Record<string, z.ZodType>;
    if (!Object.hasOwn(shape, segment)) return 'unknown config key';
    schema = shape[segment] as z.ZodType;
  }
  return undefined;
}
