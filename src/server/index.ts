export { createApp, type AppOptions } from './create-app.js';
export { createControlApi, type ControlApiOptions } from './control-api.js';
export { createCommandExecutor, type CommandExecutorOptions } from './execute-command.js';
export {
  createServiceDiscovery,
  parseHostPort,
  MAX_LISTED_RUNS,
  type ServiceDiscoveryOptions,
} from './service-discovery.js';
export { startServer, type ServerOptions, type RunningServer } from './start-server.js';
export { startRunServer, type RunServerOptions, type RunServer } from './start-run-server.js';
export { MetricsPublisher, type MetricsPublisherOptions } from './metrics-publisher.js';
export { createHttpServer, resolveHttpTimeouts, DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from './http-timeouts.js';
export { ScrapeTracker, type LingerOutcome } from './scrape-tracker.js';
export { INITIAL_STATE, type ServerState, type RunSnapshot, type MetricsSnapshot } from './server-state.js';
export type { RunCommand, CommandRequest, CommandReply, Dispatch } from './run-command.js';
export type { RequestGuard } from '../live/request-guards.js';
export { hasEnded, type RunControl, type RunView } from './run-control.js';
