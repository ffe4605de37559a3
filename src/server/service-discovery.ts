import { isIPv4, isIPv6 } from 'node:net';
import type { RequestHandler } from 'express';
import { ApiError } from './api-error.js';
import { hasEnded } from './run-control.js';
import type { ServerState } from './server-state.js';

/** Throws a `RangeError` naming `advertise` unless it is undefined or a valid `host:port`. */
export function assertAdvertise(advertise: string | undefined): void {
  if (advertise !== undefined && parseHostPort(advertise) === undefined) {
    throw new RangeError(`Invalid advertise address: ${JSON.stringify(advertise.slice(0, 64))} (expected host:port)`);
  }
}

/** Options of {@link createServiceDiscovery}. */
export interface ServiceDiscoveryOptions {
  /** The latest published state; read on every request. Required. */
  readonly state: () => ServerState;
  /**
   * The `host:port` Prometheus should scrape, e.g. `trainer-0.lossband:9464`. Defaults to the
   * request's `Host` header: the name the scraper itself used to reach this server, which is
   * right behind compose or Kubernetes DNS and wrong only behind a proxy that rewrites it.
   */
  readonly advertise?: string | undefined;
}

/** Live run names listed in the `__meta_lossband_runs` label before it is cut short. */
export const MAX_LISTED_RUNS = 20;

const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})$/;

/**
 * `value` if it is a syntactically valid `host[:port]` (a DNS name, an IPv4 address or a
 * bracketed IPv6 address; a port of 1–65535), else `undefined`.
 *
 * @example
 * parseHostPort('trainer-0.lossband:9464'); // 'trainer-0.lossband:9464'
 * parseHostPort('evil.example/x'); // undefined
 */
export function parseHostPort(value: string): string | undefined {
  const m = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(value);
  const host = m?.[1];
  if (m === null || host === undefined) return undefined;
  const port = m[2];
  if (port !== undefined && (port.startsWith('0') || Number(port) > 65535)) return undefined;
  const ok = host.startsWith('[') ? isIPv6(host.slice(1, -1)) : isIPv4(host) || isDnsName(host);
  return ok ? value : undefined;
}

function isDnsName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return (
    name.length > 0 && name.length <= 253 && name.split('.').every((label) => LABEL.test(label) && !label.endsWith('-'))
  );
}

/**
 * `GET /api/sd`: a Prometheus HTTP service-discovery endpoint (`http_sd_configs`). While at
 * least one run is live (`starting`, `running` or `paused`) it lists this server as the one
 * target; once every run has ended it answers `[]`, so Prometheus drops the target instead of
 * seeing it go down (no `LossbandTrainerDown` after a normal finish):
 *
 * ```json
 * [{ "targets": ["trainer-0.lossband:9464"],
 *    "labels": { "__meta_lossband_runs": "a,b", "__meta_lossband_live_runs": "2" } }]
 * ```
 *
 * Both labels start with `__meta_`, so they are there for relabelling and dropped after it:
 * they never become series labels, and runs coming and going cause no series churn. The run
 * list is sorted and cut after {@link MAX_LISTED_RUNS} names (`…,+12 more`). A `Host` header
 * that is not a valid `host[:port]` gets 400 `Host: not a valid host[:port]` when no
 * `advertise` address is configured.
 *
 * @example
 * app.get('/api/sd', createServiceDiscovery({ state: () => latest }));
 * // prometheus.yml: http_sd_configs: [{ url: 'http://trainer:9464/api/sd' }]
 */
export function createServiceDiscovery(options: ServiceDiscoveryOptions): RequestHandler {
  const { state, advertise } = options;
  assertAdvertise(advertise);
  return (req, res) => {
    res.set('X-Content-Type-Options', 'nosniff');
    const target = advertise ?? parseHostPort(req.headers.host ?? '');
    if (target === undefined) throw new ApiError(400, 'Host: not a valid host[:port]');
    const live = state()
      .runs.filter((r) => !hasEnded(r.view.state))
      .map((r) => r.view.run)
      .sort();
    if (live.length === 0) {
      res.json([]);
      return;
    }
    const listed = live.slice(0, MAX_LISTED_RUNS);
    if (live.length > listed.length) listed.push(`+${live.length - listed.length} more`);
    res.json([
      {
        targets: [target],
        labels: { __meta_lossband_runs: listed.join(','), __meta_lossband_live_runs: String(live.length) },
      },
    ]);
  };
}
