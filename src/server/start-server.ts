import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { assertBindablePort, baseUrl, bindFailure } from './bind-rules.js';
import { createHttpServer, type HttpTimeouts } from './http-timeouts.js';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** The request handler, usually from `createApp`. Required. */
  readonly app: RequestListener;
  /** Interface to bind. Defaults to `127.0.0.1`. */
  readonly host?: string | undefined;
  /**
   * Port to bind, 1–65535. Defaults to 9464. Port 0 ("no server" at the CLI) is rejected:
   * the caller skips `startServer` instead.
   */
  readonly port?: number | undefined;
  /** Whether the user asked for `port`; a busy explicit port is an error, a busy default one is not. Required. */
  readonly portExplicit: boolean;
  /** Bind a free port the OS picks and ignore `port` (tests). Defaults to false. */
  readonly ephemeral?: boolean | undefined;
  /** How long `close()` waits for the listener to shut before giving up, in ms. Defaults to 2000. */
  readonly closeTimeoutMs?: number | undefined;
  /** Header, request, keep-alive and socket timeouts. Defaults to those of {@link HttpTimeouts}. */
  readonly timeouts?: HttpTimeouts | undefined;
  /** Logger for the busy-port warning and runtime server errors. Required. */
  readonly log: Logger;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  /** The bound port (useful with `ephemeral`). */
  readonly port: number;
  /** Stops listening and drops every connection, keep-alive ones included. Never rejects, never hangs. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on this thread, with the timeouts of {@link createHttpServer}. A busy
 * default port is not worth stopping a training run for: it logs a warning and resolves
 * `undefined`. A busy port the user asked for, or a host that cannot be bound, rejects with a
 * one-line {@link UserError} (the CLI exits 2).
 *
 * @example
 * const server = await startServer({ app: createApp({ state, dispatch }), portExplicit: false, log });
 * if (server) log.info(`metrics at ${server.url}/metrics`);
 * await server?.close();
 */
export async function startServer(options: ServerOptions): Promise<RunningServer | undefined> {
  const { app, host = '127.0.0.1', port = 9464, portExplicit, ephemeral = false, closeTimeoutMs = 2000, log } = options;
  if (!ephemeral) assertBindablePort(port);
  const server = createHttpServer(app, options.timeouts);
  const code = await listen(server, host, ephemeral ? 0 : port);
  if (code !== undefined) return bindFailure(code, { host, port, portExplicit }, log);
  // After listening, a server error must never reach the training loop (ARCHITECTURE.md, rule 4).
  server.on('error', (err) => log.error({ err }, 'metrics server error'));
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: baseUrl(host, bound),
    port: bound,
    close: () => (closing ??= shutDown(server, closeTimeoutMs, log)),
  };
}

/** Resolves `undefined` once listening, or the error code if binding failed. */
function listen(server: Server, host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      resolve(err.code ?? err.message);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(undefined);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

function shutDown(server: Server, timeoutMs: number, log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      log.warn({ timeoutMs }, 'metrics server did not close in time; giving up on it');
      resolve();
    }, timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    // close() only stops accepting; these end idle keep-alive and in-flight connections too.
    server.closeAllConnections();
  });
}
