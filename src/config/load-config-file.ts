import fs from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { UserError } from '../core/user-error.js';
import { issueKey, issueReason } from './format-issue.js';
import { configSchema, type ConfigInput } from './schema.js';

const MAX_CONFIG_BYTES = 1 << 20;

/**
 * Reads and validates a YAML or JSON config file. Every error is one line naming
 * `file:line:column` and the key, e.g. `run.yaml:4:17: model.learningRate: Too small: expected number to be >0`.
 *
 * @example
 * const input = loadConfigFile('experiments/wine.yaml');
 */
export function loadConfigFile(file: string): ConfigInput {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new UserError(`${file}: not a regular file`);
    if (stat.size > MAX_CONFIG_BYTES) throw new UserError(`${file}: config larger than 1 MiB`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read config (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return file;
    const pos = lines.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  const syntax = doc.errors[0];
  if (syntax) throw new UserError(`${at(syntax.pos[0])}: ${syntax.message.split('\n')[0]}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message.split('\n')[0] ?? 'invalid YAML'}`);
  }
  if (value === null || value === undefined) return {};
  const parsed = configSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw new UserError(`${file}: invalid config`);
  const key = issueKey(issue);
  let node = doc.getIn(key, true) as { range?: [number, number, number] } | undefined;
  for (let n = key.length; !node?.range && n > 0; n--) node = doc.getIn(key.slice(0, n - 1), true) as typeof node;
  const where = node?.range ? at(node.range[0]) : at(doc.contents?.range?.[0]);
  throw new UserError(`${where}: ${key.join('.') || '(top level)'}: ${issueReason(issue)}`);
}
