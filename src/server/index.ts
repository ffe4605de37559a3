export { createApp, type AppOptions } from './create-app.js';
export { startServer, type ServerOptions, type RunningServer } from './start-server.js';
