import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../core/user-error.js';
import { listEventFiles } from '../store/event-files.js';
import { readEventLines, type ReadEventLinesOptions } from '../store/read-event-lines.js';
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
 * Streams the plotted fields of every event in a run's history — the rotated segments
 * (`events-000001.jsonl.gz`, …) and `events.jsonl`, in order — one at a time, so a history of
 * any length is read in bounded memory. Other fields are ignored and blank lines skipped. A bad
 * line is a {@link UserError} naming `file:line`, except an unterminated last line, which is
 * skipped: it is the one a live or killed run was still writing. A run without events is a
 * UserError too.
 *
 * @example
 * for await (const e of readReportEvents('runs/iris')) downsampler.add(e);
 */
export async function* readReportEvents(runDir: string, options: Pick<ReadEventLinesOptions, 'maxLineBytes' | 'chunkBytes'> = {}): AsyncGenerator<ReportEvent> {
  const files = listEventFiles(runDir);
  const live = join(runDir, 'events.jsonl');
  if (files.length === 0) throw new UserError(`${live}: no such file`);
  let count = 0;
  for await (const l of readEventLines(runDir, { ...options, files })) {
    const text = l.text.trim();
    if (text === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      if (!l.terminated) break;
      throw new UserError(`${l.file}:${l.line}: not valid JSON: ${(error as Error).message}`);
    }
    const parsed = EventLine.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? '' : ` field "${issue.path.join('.')}":`;
      throw new UserError(`${l.file}:${l.line}:${where} ${issue?.message ?? 'not an epoch event'}`);
    }
    count += 1;
    yield parsed.data;
  }
  if (count === 0) throw new UserError(`${(files.at(-1) as { file: string }).file}: no epoch events in the file`);
}
