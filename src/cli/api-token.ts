import { UserError } from '../core/user-error.js';
import { tokenSchema, type ConfigInput } from '../config/schema.js';

/** The control API's token: `LOSSBAND_TOKEN` wins over the config layers' `token`. */
export function apiToken(layers: readonly ConfigInput[]): string | undefined {
  const env = process.env.LOSSBAND_TOKEN;
  if (env === undefined || env === '') return layers.reduce<string | undefined>((t, l) => l.token ?? t, undefined);
  const checked = tokenSchema.safeParse(env);
  if (!checked.success) throw new UserError(`LOSSBAND_TOKEN: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  return env;
}

/** Whether `host` is a loopback address: serving anywhere else needs a token. */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
