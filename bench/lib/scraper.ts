/**
 * A Prometheus stand-in, run as a child process: GETs URL at RATE requests per second (on a
 * fixed schedule, not waiting for answers) until SIGTERM or MAX_SECONDS, then prints one JSON
 * line (after a first `ready` line) with the count and latency quantiles of the successful scrapes.
 * Usage: node --import tsx bench/lib/scraper.ts URL RATE MAX_SECONDS
 */
import { quantile } from './stats.js';

const [url = '', rate = '20', maxSeconds = '120'] = process.argv.slice(2);
const latencies: number[] = [];
let errors = 0;
let bytes = 0;

const scrape = async (): Promise<void> => {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = await res.text();
    if (!res.ok) throw new Error(String(res.status));
    latencies.push(performance.now() - t0);
    bytes = body.length;
  } catch {
    errors += 1; // includes "connection refused" before the server is up
  }
};

const timer = setInterval(() => void scrape(), 1000 / Number(rate));
const finish = (): void => {
  clearInterval(timer);
  const q = (p: number): number | null => (latencies.length ? quantile(latencies, p) : null);
  // Exit only once the line is flushed: writes to a pipe are asynchronous.
  process.stdout.write(
    JSON.stringify({ ok: latencies.length, errors, bytes, p50: q(0.5), p99: q(0.99), max: q(1) }) + '\n',
    () => process.exit(0),
  );
};
process.once('SIGTERM', finish);
setTimeout(finish, Number(maxSeconds) * 1000).unref();
process.stdout.write('ready\n');
