import { z } from 'zod';
import { readUserFile } from '../data/read-user-file.js';
import { UserError } from '../core/user-error.js';
import type { ReportEvent } from './downsample.js';

/** JSON writes NaN and ±Infinity as null, so a diverged epoch arrives as null. */
const num = z.number().nullable().transform((v) => v ?? NaN);
const EventLine = z.object({
  epoch: z.number(),
  loss: num,
  smoothedLoss: num,
  sigma: num,
  band: z.object({ lo: num, hi: num }),
});

/**
 * Reads the plotted fields of every event in an `events.jsonl` file (one JSON object per
 * line; other fields are ignored). A bad line is a {@link UserError} naming `file:line`,
 * except an unterminated last line, which is skipped: it is the one a live or killed run
 * was still writing.
 *
 * @example
 * const events = readReportEvents('runs/iris/events.jsonl');
 */
export function readReportEvents(path: string): ReportEvent[] {
  const text = readUserFile(path);
  const lines = text.split('\n');
  const events: ReportEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const unterminated = i === lines.length - 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      if (unterminated) break;
      throw new UserError(`${path}:${i + 1}: not valid JSON: ${(error as Error).message}`);
    }
    const parsed = EventLine.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? '' : ` field "${issue.path.join('.')}":`;
      throw new UserError(`${path}:${i + 1}:${where} ${issue?.message ?? 'not an epoch event'}`);
    }
    events.push(parsed.data);
  }
  if (events.length === 0) throw new UserError(`${path}: no epoch events in the file`);
  return events;
}
