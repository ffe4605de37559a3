import type { z } from 'zod';

/** Dotted key of an issue, with an unknown key appended (`model.lerningRate`). */
export function issueKey(issue: z.core.$ZodIssue): (string | number)[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) return [...path, issue.keys[0]];
  return path;
}

/** One-line reason of a zod issue, without the key. */
export function issueReason(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return 'unknown key';
  return issue.message.replace(/\s+/g, ' ');
}
