import type { FeedEvent, FeedMessage } from './feed-event.js';

/**
 * Where a client's points end: the epoch it last received and, when it came from this
 * protocol, the history identity it belonged to.
 */
export interface StreamPosition {
  readonly since: number;
  readonly instance?: string | undefined;
}

const EVENT_ID = /^(\d{1,15})(?::([0-9A-Za-z_-]{1,64}))?$/;

/** Most epochs in one `epochs` message: a long replay goes out in several. */
export const EPOCHS_PER_MESSAGE = 250;

/**
 * The SSE text of a batch of feed messages, one write's worth. Consecutive epochs go out
 * together, as one `epochs` message whose data is their array (at most
 * {@link EPOCHS_PER_MESSAGE}), so a browser handles one message per batch, not one per epoch:
 *
 * ```
 * id: 42:3f9a0c1e
 * event: epochs
 * data: [{"run":"demo","epoch":41,"loss":0.35,…},{"run":"demo","epoch":42,…}]
 *
 * id: 19:77b2d4a0
 * event: reset
 * data: {"epoch":20,"instance":"77b2d4a0"}
 * ```
 *
 * The id is `<epoch>:<instance>` of the message's last epoch: what the browser sends back as
 * `Last-Event-ID` on reconnect. A reset's id is the epoch before the void ones, so a
 * reconnect after it replays from the reset's epoch on. JSON turns a non-finite loss into `null`.
 *
 * @example
 * res.write(formatMessages([{ type: 'epoch', event, instance }]));
 */
export function formatMessages(messages: readonly FeedMessage<FeedEvent>[]): string {
  let out = '';
  let run: string[] = [];
  let last: { epoch: number; instance: string } | undefined;
  const flush = (): void => {
    if (last === undefined) return;
    out += `id: ${last.epoch}:${last.instance}\nevent: epochs\ndata: [${run.join(',')}]\n\n`;
    run = [];
    last = undefined;
  };
  for (const m of messages) {
    if (m.type === 'epoch') {
      if (last !== undefined && (last.instance !== m.instance || run.length >= EPOCHS_PER_MESSAGE)) flush();
      run.push(JSON.stringify(m.event));
      last = { epoch: m.event.epoch, instance: m.instance };
    } else {
      flush();
      out += `id: ${m.epoch - 1}:${m.instance}\nevent: reset\ndata: ${JSON.stringify({ epoch: m.epoch, instance: m.instance })}\n\n`;
    }
  }
  flush();
  return out;
}

/**
 * The stream position a request asks for: the `Last-Event-ID` header (an EventSource's
 * reconnect) wins over the `since` and `instance` query parameters (a client's first
 * connection); neither means the whole history. Returns a one-line error naming the field
 * when a value is malformed.
 *
 * @example
 * parsePosition('41:3f9a0c1e', new URLSearchParams()); // { since: 41, instance: '3f9a0c1e' }
 * parsePosition(undefined, new URLSearchParams('since=10')); // { since: 10 }
 */
export function parsePosition(
  lastEventId: string | undefined,
  query: URLSearchParams,
): StreamPosition | { error: string } {
  if (lastEventId !== undefined && lastEventId.trim() !== '') {
    const m = EVENT_ID.exec(lastEventId.trim());
    if (m === null) return { error: 'Last-Event-ID: expected <epoch> or <epoch>:<instance>' };
    return { since: Number(m[1]), instance: m[2] };
  }
  const since = query.get('since');
  const instance = query.get('instance');
  if (since !== null && !/^\d{1,15}$/.test(since)) return { error: 'since: expected a non-negative integer epoch' };
  if (instance !== null && !/^[0-9A-Za-z_-]{1,64}$/.test(instance))
    return { error: 'instance: expected 1-64 letters, digits, "_" or "-"' };
  return { since: since === null ? 0 : Number(since), instance: instance ?? undefined };
}
