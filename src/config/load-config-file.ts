import { UserError } from '../core/user-error.js';
import { issueKey, issueReason } from './format-issue.js';
import { parseLocatedYaml } from './parse-located-yaml.js';
import { readUserFile } from './read-user-file.js';
import { configSchema, type ConfigInput } from './schema.js';

/**
 * Reads and validates a YAML or JSON config file. Every error is one line naming
 * `file:line:column` and the key, e.g. `run.yaml:4:17: model.learningRate: Too small: expected number to be >0`.
 *
 * @example
 * const input = loadConfigFile('experiments/wine.yaml');
 */
export function loadConfigFile(file: string): ConfigInput {
  const text = readUserFile(file, 'config');
  const { value, where } = parseLocatedYaml(text, file);
  if (value === null || value === undefined) return {};
  const parsed = configSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw new UserError(`${file}: invalid config`);
  const key = issueKey(issue);
  throw new UserError(`${where(key)}: ${key.join('.') || '(top level)'}: ${issueReason(issue)}`);
}
