import { z } from 'zod';
import { issueKey, issueReason } from '../config/format-issue.js';
import { bandSchema, RUN_NAME_PATTERN } from '../config/schema.js';

/**
 * Body of `PUT /api/runs/:run/band`: `{ "lo": number, "hi": number }` under the same rules as
 * the config file's `band` (finite, non-negative, `lo < hi`, a minimum width), no other key.
 *
 * @example
 * bandBodySchema.parse({ lo: 0.2, hi: 0.3 }); // { lo: 0.2, hi: 0.3 }
 */
export const bandBodySchema = bandSchema;

/**
 * Body of `POST /api/runs/:run/pause|resume|stop` when one is sent: an empty object.
 *
 * @example
 * actionBodySchema.safeParse({ force: true }).success; // false
 */
export const actionBodySchema = z.strictObject({});

/**
 * Whether `name` could name a run. Anything else is refused before it is looked up or quoted.
 *
 * @example
 * isRunName('default-20250101-120000'); // true
 * isRunName('../etc'); // false
 */
export function isRunName(name: string): boolean {
  return RUN_NAME_PATTERN.test(name);
}

/**
 * A short, printable rendering of a key from the request for an error message: plain keys
 * as they are, anything else JSON-quoted with non-ASCII escaped, cut at 32 characters.
 *
 * @example
 * quoteKey('lo'); // 'lo'
 * quoteKey('a\nb'); // '"a\\nb"'
 */
export function quoteKey(key: string | number): string {
  const text = String(key);
  if (/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(text)) return text;
  const cut = text.length > 32 ? `${text.slice(0, 32)}…` : text;
  return JSON.stringify(cut).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The one-line reason for the first issue of a failed body parse, naming the field:
 * `lo: Invalid input: expected number, received string`, `extra: unknown key`,
 * `body: Invalid input: expected object, received array`.
 *
 * @example
 * describeIssue(bandBodySchema.safeParse({ lo: 1, hi: 0 }).error!); // 'lo: lo must be less than hi'
 */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'body: invalid';
  const key = issueKey(issue);
  const field = key.length === 0 ? 'body' : key.map(quoteKey).join('.');
  return `${field}: ${issueReason(issue)}`;
}
