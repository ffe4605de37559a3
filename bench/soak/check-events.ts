import fs from 'node:fs';
import readline from 'node:readline';

/** What {@link checkEvents} found in an events file. */
export interface EventsCheck {
  readonly lines: number;
  /** Whether line i holds epoch i + 1 for every line. */
  readonly inOrder: boolean;
  /** First line (1-based) that broke the order or did not parse, if any. */
  readonly firstBad?: { readonly line: number; readonly text: string } | undefined;
}

/**
 * Streams `events.jsonl` (100,000 lines would be ~50 MB in one string) and checks that line i
 * holds epoch i + 1.
 *
 * @example
 * const { lines, inOrder } = await checkEvents('runs/soak/events.jsonl');
 */
export async function checkEvents(file: string): Promise<EventsCheck> {
  if (!fs.existsSync(file)) return { lines: 0, inOrder: false, firstBad: { line: 0, text: 'no events file' } };
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lines = 0;
  let firstBad: EventsCheck['firstBad'];
  for await (const text of rl) {
    lines += 1;
    if (firstBad !== undefined) continue;
    let epoch: unknown;
    try {
      epoch = (JSON.parse(text) as { epoch?: unknown }).epoch;
    } catch {
      epoch = undefined;
    }
    if (epoch !== lines) firstBad = { line: lines, text: text.slice(0, 120) };
  }
  return { lines, inOrder: firstBad === undefined, firstBad };
}
