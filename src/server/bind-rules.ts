import type { Logger } from 'pino';
import { UserError } from '../core/user-error.js';

/** Where a public server was asked to listen. */
export interface BindTarget {
  readonly host: string;
  readonly port: number;
  /** Whether the user chose `port`: a busy chosen port is an error, a busy default one is not. */
  readonly portExplicit: boolean;
}

/**
 * Throws unless `port` can be bound (1–65535). Port 0 means "no server" at the CLI, so the
 * caller skips the server instead of asking for one.
 *
 * @example
 * assertBindablePort(9464); // ok
 * assertBindablePort(0); // RangeError: Invalid port: 0 (…)
 */
export function assertBindablePort(port: number): void {
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new RangeError(`Invalid port: ${port} (expected 1-65535; for no server, do not call startServer)`);
  }
}

/**
 * What a failed bind means for a run. A busy default port is not worth stopping training for:
 * it logs a warning and returns `undefined` (run without a server). A busy port the user chose,
 * or a host that cannot be bound, throws a one-line {@link UserError} (the CLI exits 2).
 *
 * @example
 * return bindFailure('EADDRINUSE', { host: '127.0.0.1', port: 9464, portExplicit: false }, log); // warns, undefined
 */
export function bindFailure(code: string, target: BindTarget, log: Logger): undefined {
  const { host, port, portExplicit } = target;
  if (code === 'EADDRINUSE' && !portExplicit) {
    log.warn({ host, port }, `port ${port} on ${host} is busy; continuing without the metrics server`);
    return undefined;
  }
  if (code === 'EADDRINUSE') throw new UserError(`port ${port} on ${host} is already in use`);
  throw new UserError(`cannot listen on ${host}:${port}: ${code}`);
}

/**
 * The base URL of a server bound on `host`, bracketing IPv6 addresses.
 *
 * @example
 * baseUrl('::1', 9464); // 'http://[::1]:9464'
 */
export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
