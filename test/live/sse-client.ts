import { request, type IncomingHttpHeaders } from 'node:http';
import { parseSse, type SseBlock } from './parse-sse.js';

/** An open SSE response read by a test: its blocks so far, and a way to wait for more. */
export interface SseStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly blocks: SseBlock[];
  /** Epoch blocks' epochs and resets as `reset@E`, in order. */
  epochs(): (number | string)[];
  /** Resolves once `done(blocks)` holds; rejects if the stream ends first. Driven by data, not timers. */
  until(done: (blocks: SseBlock[]) => boolean): Promise<SseBlock[]>;
  /** Resolves when the server ends the connection. */
  ended: Promise<void>;
  /** Stops reading: the client's socket buffer fills and the server sees backpressure. */
  pause(): void;
  close(): void;
}

/** Host and port of `base`; the path is sent as written, never normalised (traversal tests need `..`). */
function target(base: string): { hostname: string; port: string } {
  const url = new URL(base);
  return { hostname: url.hostname, port: url.port };
}

/** Opens `path` on `base` as an event stream and reads it as it comes. */
export function openSse(base: string, path: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request({ ...target(base), path, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      const blocks: SseBlock[] = [];
      let buffer = '';
      const waiters: {
        done: (b: SseBlock[]) => boolean;
        resolve: (b: SseBlock[]) => void;
        reject: (e: Error) => void;
      }[] = [];
      let finished = false;
      const check = (): void => {
        for (const w of [...waiters]) {
          if (w.done(blocks)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(blocks);
          } else if (finished) {
            waiters.splice(waiters.indexOf(w), 1);
            w.reject(new Error(`stream ended before the condition held; got ${JSON.stringify(blocks).slice(0, 500)}`));
          }
        }
      };
      const ended = new Promise<void>((done) => {
        const finish = (): void => {
          finished = true;
          check();
          done();
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
        req.on('close', finish); // the connection is gone even while `res` is paused
      });
      res.on('data', (chunk: string) => {
        const parsed = parseSse(buffer + chunk);
        buffer = parsed.rest;
        blocks.push(...parsed.blocks);
        check();
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        blocks,
        epochs: () =>
          blocks.flatMap((b): (number | string)[] => {
            if (b.event === 'reset') return [`reset@${(JSON.parse(b.data ?? '{}') as { epoch: number }).epoch}`];
            if (b.event !== 'epochs') return [];
            return (JSON.parse(b.data ?? '[]') as { epoch: number }[]).map((e) => e.epoch);
          }),
        until: (done) =>
          new Promise((ok, fail) => {
            waiters.push({ done, resolve: ok, reject: fail });
            check();
          }),
        ended,
        pause: () => res.pause(),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A plain request's status, headers and body; `path` is sent as written. */
export function fetchRaw(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request({ ...target(base), path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
