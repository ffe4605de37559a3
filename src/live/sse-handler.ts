import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventFeed, FeedSubscription } from './event-feed.js';
import type { FeedEvent, FeedMessage } from './feed-event.js';
import { quote } from './quote.js';
import { sendJson } from './send-json.js';
import { formatMessages, parsePosition } from './sse-format.js';

/** Calls `tick` every `ms` until the returned function is called. */
export type Every = (ms: number, tick: () => void) => () => void;

/** Options of {@link createSseHandler}. */
export interface SseHandlerOptions<E extends FeedEvent> {
  /** The feed the streams come from. Required. */
  readonly feed: EventFeed<E>;
  /** Whether `run` exists (others get 404). Defaults to the runs the feed has seen. */
  readonly isRun?: (run: string) => boolean;
  /** Interval of the keep-alive comments. Defaults to 15 000 ms. */
  readonly heartbeatMs?: number;
  /** Heartbeats a connection may stay blocked (its socket full) before it is dropped. Defaults to 4. */
  readonly stallBeats?: number;
  /** Reconnect delay the stream asks EventSource to use. Defaults to 2000 ms. */
  readonly retryMs?: number;
  /** The timer; tests pass one they drive. Defaults to an unref'd `setInterval`. */
  readonly every?: Every;
}

const EVENTS_PATH = /^\/api\/runs\/([^/]+)\/events$/;

/**
 * The SSE text of each live batch, made once: the feed hands every subscriber of a run the
 * same array, and five open pages would otherwise stringify each epoch five times.
 */
const formatted = new WeakMap<readonly FeedMessage<FeedEvent>[], string>();

function formatOnce(messages: readonly FeedMessage<FeedEvent>[]): string {
  let text = formatted.get(messages);
  if (text === undefined) formatted.set(messages, (text = formatMessages(messages)));
  return text;
}

const realEvery: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * The run name in an events URL (`/api/runs/:run/events`, any query), still URI-encoded;
 * `undefined` for other paths.
 *
 * @example
 * eventsRunOf('/api/runs/demo/events?since=4'); // 'demo'
 */
export function eventsRunOf(url: string): string | undefined {
  const q = url.indexOf('?');
  return EVENTS_PATH.exec(q < 0 ? url : url.slice(0, q))?.[1];
}

/**
 * `GET /api/runs/:run/events` as Server-Sent Events, as a plain `node:http` listener (it
 * runs in the front worker thread, away from the training loop).
 *
 * - Replays the run's decimated history after the client's position (`Last-Event-ID`, else
 *   `?since=&instance=`), then streams each new batch as one write. See `formatMessages`
 *   for the messages and `EventFeed.subscribe` for the reset rule.
 * - Backpressure: after `res.write` returns false, further messages wait in the feed's
 *   bounded per-subscriber queue until `drain`; an overflowing client, or one blocked for
 *   `stallBeats` heartbeats, is dropped (connection destroyed), never buffered without bound.
 * - Keep-alive comments every `heartbeatMs` hold proxies and the browser's connection open.
 * - Refusals are JSON `{ error }`: 405 for other methods, 400 for a malformed run name or
 *   position, 404 for an unknown run or path, 503 when the feed has too many subscribers.
 *
 * @example
 * const events = createSseHandler({ feed, isRun: (r) => registry.has(r) });
 * createServer((req, res) => (eventsRunOf(req.url ?? '') ? events(req, res) : other(req, res)));
 */
export function createSseHandler<E extends FeedEvent>(
  options: SseHandlerOptions<E>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { feed } = options;
  const isRun = options.isRun ?? ((run: string) => feed.runs().includes(run));
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const stallBeats = options.stallBeats ?? 4;
  const retryMs = options.retryMs ?? 2000;
  const every = options.every ?? realEvery;

  return (req, res) => {
    const url = req.url ?? '/';
    const encoded = eventsRunOf(url);
    if (encoded === undefined) return sendJson(res, 404, { error: 'path: no such resource' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(
        res,
        405,
        { error: `method: ${String(req.method).slice(0, 16)} not allowed here; allowed: GET, HEAD` },
        { Allow: 'GET, HEAD' },
      );
    }
    let run: string;
    try {
      run = decodeURIComponent(encoded);
    } catch {
      return sendJson(res, 400, { error: 'run: not a valid URI component' });
    }
    // Existence is the only question for a read-only stream: the registry knows its names.
    if (!isRun(run)) return sendJson(res, 404, { error: `run: no run named ${quote(run)}` });
    const lastEventId = req.headers['last-event-id'];
    const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    const position = parsePosition(Array.isArray(lastEventId) ? lastEventId[0] : lastEventId, query);
    if ('error' in position) return sendJson(res, 400, { error: position.error });
    if (feed.full)
      return sendJson(res, 503, { error: 'events: too many open streams; try again later' }, { 'Retry-After': '10' });

    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') return void res.end();

    let blocked = false;
    let stalled = 0;
    let open = true;
    let subscription: FeedSubscription | undefined = undefined;
    let stopHeartbeat = (): void => undefined;
    const end = (): void => {
      if (!open) return;
      open = false;
      stopHeartbeat();
      subscription?.close();
      res.destroy();
    };
    const write = (text: string): boolean => {
      blocked = !res.write(text);
      return !blocked;
    };
    res.on('drain', () => {
      blocked = false;
      stalled = 0;
      subscription?.drained();
    });
    res.on('close', end);
    res.on('error', end);

    write(`retry: ${retryMs}\n\n`);
    subscription = feed.subscribe(
      run,
      { write: (messages: readonly FeedMessage<E>[]) => write(formatOnce(messages)), dropped: end },
      position,
    );
    if (subscription === undefined || !open) {
      end(); // refused, or dropped while replaying
      return;
    }
    stopHeartbeat = every(heartbeatMs, () => {
      if (!blocked) {
        stalled = 0;
        write(': keep-alive\n\n');
      } else if (++stalled >= stallBeats) {
        end();
      }
    });
  };
}
