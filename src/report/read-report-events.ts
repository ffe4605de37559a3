import { join } from 'node:path';
import { UserError } from '../core/user-error.js';
import { listEventFiles } from '../store/event-files.js';
import { readEventLines, type ReadEventLinesOptions } from '../store/read-event-lines.js';
import type { ReportEvent } from './downsample.js';

/** JSON writes NaN and ±Infinity as null, so a diverged epoch arrives as null (read as NaN). */
const FIELDS = ['loss', 'smoothedLoss', 'sigma'] as const;

/**
 * The plotted fields of one parsed line, or the problem with it (`field "sigma": …`). A plain
 * check rather than a schema: it runs once per line of histories millions of lines long.
 */
function reportEventOf(json: unknown): ReportEvent | string {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return 'not an epoch event (expected a JSON object)';
  const o = json as Record<string, unknown>;
  if (typeof o.epoch !== 'number') return `field "epoch": expected a number, got ${kind(o.epoch)}`;
  const values: Record<string, number> = {};
  for (const f of FIELDS) {
    const v = o[f];
    if (v !== null && typeof v !== 'number') return `field "${f}": expected a number or null, got ${kind(v)}`;
    values[f] = v ?? NaN;
  }
  const band = o.band as Record<string, unknown> | null | undefined;
  if (band === null || typeof band !== 'object' || Array.isArray(band))
    return `field "band": expected an object {lo, hi}, got ${kind(band)}`;
  for (const k of ['lo', 'hi'] as const) {
    if (band[k] !== null && typeof band[k] !== 'number')
      return `field "band.${k}": expected a number or null, got ${kind(band[k])}`;
  }
  return {
    epoch: o.epoch,
    loss: values.loss as number,
    smoothedLoss: values.smoothedLoss as number,
    sigma: values.sigma as number,
    band: { lo: (band.lo as number | null) ?? NaN, hi: (band.hi as number | null) ?? NaN },
  };
}

const kind = (v: unknown): string =>
  v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;

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
export async function* readReportEvents(
  runDir: string,
  options: Pick<ReadEventLinesOptions, 'maxLineBytes' | 'chunkBytes'> = {},
): AsyncGenerator<ReportEvent> {
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
    const event = reportEventOf(json);
    if (typeof event === 'string') throw new UserError(`${l.file}:${l.line}: ${event}`);
    count += 1;
    yield event;
  }
  if (count === 0) throw new UserError(`${(files.at(-1) as { file: string }).file}: no epoch events in the file`);
}
