/** The live page and its feed: what the metrics port serves to a browser. */
export type { FeedEvent, FeedMessage } from './feed-event.js';
export {
  EventFeed,
  type EventFeedOptions,
  type FeedSubscriber,
  type FeedSubscription,
  type FeedStats,
  type DropReason,
  type SubscribeFrom,
} from './event-feed.js';
export { EventBatcher, type EventBatcherOptions } from './event-batcher.js';
export { RunHistory, type RunHistoryOptions } from './run-history.js';
export { createSseHandler, eventsRunOf, type SseHandlerOptions, type Every } from './sse-handler.js';
export { formatMessages, parsePosition, type StreamPosition } from './sse-format.js';
export { createPageHandler, isPagePath, PAGE_CSP, type PageHandlerOptions } from './page-handler.js';
export {
  checkOrigin,
  checkHost,
  isLoopbackAddress,
  originGuard,
  hostGuard,
  type GuardVerdict,
  type RequestGuard,
} from './request-guards.js';
export { createLiveHandler, type LiveHandlerOptions } from './live-handler.js';
