import type { EpochEvent } from '../core/epoch-event.js';
import { RunHistory, type RunHistoryOptions } from '../live/run-history.js';
import { readEventLines, type ReadEventLinesOptions } from '../store/read-event-lines.js';
import { jsonObject } from '../core/json-object.js';

/** Options of {@link readFeedHistory}. */
export interface FeedHistoryOptions extends RunHistoryOptions, Pick<ReadEventLinesOptions, 'chunkBytes'> {
  /** Only events of this run are kept. Required. */
  readonly run: string;
  /** Last epoch to read; later lines (none after a reconciled resume) are left out. Defaults to all. */
  readonly upTo?: number | undefined;
}

/** What {@link readFeedHistory} found. */
export interface FeedHistory {
  /** The history's kept events, in epoch order: at most `maxPoints`, the newest at full resolution. */
  readonly events: EpochEvent[];
  /** Lines read. */
  readonly lines: number;
  /** Lines left out: blank, torn, not JSON, another run's, out of order or after `upTo`. */
  readonly skipped: number;
}

/**
 * A resumed run's history for the live page's feed, read from the run directory (rotated
 * segments, then `events.jsonl`, see `readEventLines`) in bounded memory: the lines stream
 * through a {@link RunHistory}, which keeps the newest `recent` events exactly and decimates
 * the rest (lowest and highest loss per bucket), so a page that opens after the resume shows
 * the whole run, not only the epochs since.
 *
 * The events are the lines as written, so a non-finite loss is `null` here, as on the wire.
 * Nothing is refused: the resume has already reconciled the history, and a line that still
 * does not fit is skipped and counted rather than stopping the run (sinks never stop training).
 *
 * @example
 * const { events } = await readFeedHistory('runs/iris', { run: 'iris', upTo: 300 });
 * events.length; // ≤ 2000, whatever the history's length; the last is epoch 300
 */
export async function readFeedHistory(dir: string, options: FeedHistoryOptions): Promise<FeedHistory> {
  const history = new RunHistory<EpochEvent>(options);
  const upTo = options.upTo ?? Infinity;
  let last = 0;
  let lines = 0;
  let skipped = 0;
  const readOptions = options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes };
  for await (const line of readEventLines(dir, readOptions)) {
    lines += 1;
    const event = line.terminated ? parse(line.text) : undefined;
    if (event === undefined || event.run !== options.run || event.epoch <= last || event.epoch > upTo) {
      skipped += 1;
      continue;
    }
    history.push(event);
    last = event.epoch;
  }
  return { events: history.points(), lines, skipped };
}

/** An epoch event from one line, or undefined when the line is not one. */
function parse(text: string): EpochEvent | undefined {
  if (text.trim() === '') return undefined;
  const o = jsonObject(text);
  if (o === undefined) return undefined;
  if (typeof o.run !== 'string' || !Number.isInteger(o.epoch) || (o.epoch as number) < 1) return undefined;
  if (o.loss !== null && typeof o.loss !== 'number') return undefined;
  // A line of events.jsonl is an EpochEvent as JSON wrote it (non-finite numbers as null).
  return o as unknown as EpochEvent;
}
