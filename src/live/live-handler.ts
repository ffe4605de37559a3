import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { EventFeed } from './event-feed.js';
import type { FeedEvent } from './feed-event.js';
import { createPageHandler, isPagePath } from './page-handler.js';
import { checkOrigin, hostGuard } from './request-guards.js';
import { sendJson } from './send-json.js';
import { createSseHandler, eventsRunOf, type SseHandlerOptions } from './sse-handler.js';

/** Options of {@link createLiveHandler}. */
export interface LiveHandlerOptions<E extends FeedEvent> {
  /** The feed behind `/api/runs/:run/events`. Required. */
  readonly feed: EventFeed<E>;
  /** The address the server listens on; a loopback one turns on the Host check. Required. */
  readonly bindHost: string;
  /** Everything else: `/metrics`, `/healthz`, the control API. Required. */
  readonly next: RequestListener;
  /** Whether a run exists. Defaults to the runs the feed has seen. */
  readonly isRun?: (run: string) => boolean;
  /** The page's listener. Defaults to `createPageHandler()`. */
  readonly page?: RequestListener;
  /** Origins besides the server's own allowed to change state (a TLS proxy's). Defaults to none. */
  readonly allowedOrigins?: readonly string[];
  /** Heartbeat, stall and retry settings and the timer of the event streams. Defaults to those of `createSseHandler`. */
  readonly sse?: Omit<SseHandlerOptions<E>, 'feed' | 'isRun'>;
}

/**
 * The public listener of the metrics port with the live page, in this order:
 *
 * 1. Host check (DNS rebinding) on every request when bound to loopback → 421;
 * 2. `GET /`, `/assets/*` → the page;
 * 3. `GET /api/runs/:run/events` → Server-Sent Events from `feed`;
 * 4. Origin check on state-changing requests → 403 `cross-origin request refused`;
 * 5. everything else → `next` (the control API keeps its bearer token: 401/403 as before).
 *
 * It is a plain `node:http` listener, so it can run in the front worker thread, where a
 * long epoch on the main thread does not stall the page or its streams.
 *
 * @example
 * const feed = new EventFeed<EpochEvent>();
 * createServer(createLiveHandler({ feed, bindHost: '127.0.0.1', next: frontHandler })).listen(9464, '127.0.0.1');
 */
export function createLiveHandler<E extends FeedEvent>(options: LiveHandlerOptions<E>): RequestListener {
  const { next, allowedOrigins } = options;
  const host = hostGuard(options.bindHost);
  const page = options.page ?? createPageHandler();
  const events = createSseHandler({
    ...options.sse,
    feed: options.feed,
    ...(options.isRun ? { isRun: options.isRun } : {}),
  });
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!host(req, res)) return;
    const url = req.url ?? '/';
    if (isPagePath(url)) return page(req, res);
    if (eventsRunOf(url) !== undefined) return events(req, res);
    const verdict = checkOrigin(req, { allowedOrigins: allowedOrigins ?? [] });
    if (!verdict.ok) return sendJson(res, verdict.status, { error: verdict.error });
    next(req, res);
  };
}
