export { createApp, type AppOptions } from './create-app.js';
export { startServer, type ServerOptions, type RunningServer } from './start-server.js';
export { startFrontServer, type FrontServerOptions, type FrontServer } from './start-front-server.js';
export { MetricsPublisher, type MetricsPublisherOptions } from './metrics-publisher.js';
