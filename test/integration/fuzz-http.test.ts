/**
 * Seeded HTTP fuzzing of the server a run exposes: thousands of random requests (methods,
 * paths with traversal/unicode/huge segments, headers, auth, content types, bodies) plus a
 * share of malformed raw requests, a few at a time. Every answer must be a well-formed status
 * below 500 whose body carries no stack trace or file path, and the run must keep training.
 *
 * Reproduce a failure with `FUZZ_SEED=<seed from the message> npx vitest run test/integration/fuzz-http.test.ts`.
 * The live part needs `npm run build`; it is skipped (with a warning) outside CI when the
 * built CLI does not serve `/api/runs`, and fails in CI.
 */
import fs from 'node:fs';
import { Agent, request } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI } from './support/binaries.js';
import { freePort } from './support/free-port.js';
import { start, stop, type Tracked } from './support/processes.js';
import { waitFor } from './support/wait-for.js';
import { fakeRun, serveControlApi } from '../server/control-api-fake.js';

const SEED = process.env.FUZZ_SEED ?? 'lossband-fuzz-1';
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const IN_FLIGHT = Number(process.env.FUZZ_IN_FLIGHT ?? 16);
const TOKEN = 'fuzz-token-0123456789abcdef';
const RAW_SHARE = Number(process.env.FUZZ_RAW_SHARE ?? 0.08);
const LEAK = /\n\s+at |node_modules|\/work\/|\/home\/|\/tmp\/|\/usr\/|file:\/\/|[A-Za-z]:\\/;

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;
const bytes = (rng: Rng, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rng() * 256)));

/** One generated request, described well enough to replay it from a failure message. */
interface Fuzzed {
  readonly kind: 'http' | 'raw';
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer | undefined;
  readonly chunked: boolean;
  /** For `raw`: the whole request as bytes. */
  readonly raw?: Buffer;
}

interface Answer {
  /** 0 when the server closed without answering (only tolerated for malformed raw requests). */
  readonly status: number;
  readonly body: string;
}

function genPath(rng: Rng, run: string): string {
  const runName = pick(rng, [
    run,
    run,
    'ghost',
    'constructor',
    '__proto__',
    '..',
    '%2e%2e',
    'a'.repeat(70),
    encodeURIComponent('ŝ€😀'),
    '%E0%A4%A',
    '%00',
  ]);
  let p = pick(rng, [
    '/',
    '/metrics',
    '/healthz',
    '/readyz',
    '/api',
    '/api/',
    '/api/runs',
    '/api/runs/',
    `/api/runs/${runName}`,
    `/api/runs/${runName}/band`,
    `/api/runs/${runName}/pause`,
    `/api/runs/${runName}/resume`,
    `/api/runs/${runName}/stop`,
    `/api/runs/${runName}/${pick(rng, ['delete', 'band/x', 'stop/', ''])}`,
    '/favicon.ico',
    '/.env',
    '/admin',
  ]);
  if (chance(rng, 0.15))
    p += pick(rng, [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%5c..%5cwindows',
      '%00.json',
      '/%C0%AE%C0%AE/',
      '//',
      '/%FF%FE',
      `/${encodeURIComponent('\u202e\u0000\uFFFF')}`,
    ]);
  if (chance(rng, 0.05)) p = `/${'seg/'.repeat(Math.floor(rng() * 2000))}${'x'.repeat(Math.floor(rng() * 8000))}`;
  if (chance(rng, 0.1)) p = p.toUpperCase();
  if (chance(rng, 0.15))
    p += pick(rng, [
      '?__proto__[polluted]=1',
      '?constructor[prototype][polluted]=1',
      '?a=%E0%A4%A',
      `?q=${'q'.repeat(3000)}`,
      '?token=' + TOKEN,
      '#frag',
      '?',
      '?&&=',
    ]);
  return p;
}

function genBody(rng: Rng): Buffer | undefined {
  const n = (): string =>
    pick(rng, ['0', '0.1', '0.35', '-1', '1e999', '"NaN"', '"0.2"', 'null', 'true', '[]', '{}', String(rng() * 2)]);
  const text = pick(rng, [
    undefined,
    '',
    `{"lo":${(rng() * 0.3).toFixed(3)},"hi":${(0.3 + rng() * 0.4).toFixed(3)}}`,
    `{"lo":${n()},"hi":${n()}}`,
    `{"lo":${n()}}`,
    `{"lo":0.1,"hi":0.2,"${pick(rng, ['__proto__', 'constructor', 'prototype', '\\u005f_proto__', 'extra', '😀', '\u202e'])}":{"polluted":1}}`,
    '[0.1,0.2]',
    '"string"',
    'null',
    '{lo:0.1}',
    '['.repeat(5000) + ']'.repeat(5000),
    '{"a":'.repeat(1500) + '1' + '}'.repeat(1500),
    `{"pad":"${'x'.repeat(15_000 + Math.floor(rng() * 5000))}"}`,
    '{}',
    '{"force":true}',
  ]);
  if (chance(rng, 0.1)) return bytes(rng, Math.floor(rng() * 3000));
  return text === undefined ? undefined : Buffer.from(text, 'utf8');
}

function genHeaders(rng: Rng, goodToken: boolean): Record<string, string> {
  const h: Record<string, string> = {};
  if (chance(rng, 0.7)) {
    h['content-type'] = pick(rng, [
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset="utf-16"',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/merge-patch+json',
      ';;;',
      'application/json; charset=',
      '*/*',
      'APPLICATION/JSON',
    ]);
  }
  if (chance(rng, 0.7)) {
    h.authorization = pick(rng, [
      'Bearer',
      'Bearer ',
      'Bearer wrong',
      'Basic Zm9vOmJhcg==',
      `Bearer ${'x'.repeat(4000)}`,
      'bearer  spaced  out',
      `Bearer ${TOKEN.slice(1)}`,
      'Digest username="a"',
      ...(goodToken ? [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] : []),
    ]);
  }
  if (chance(rng, 0.1)) h['content-encoding'] = pick(rng, ['gzip', 'deflate', 'br', 'identity', 'zstd', 'x-garbage']);
  if (chance(rng, 0.2)) h.accept = pick(rng, ['*/*', 'text/html', 'application/json;q=0', '\u00ff\u00fe']);
  if (chance(rng, 0.1)) h['x-forwarded-for'] = '127.0.0.1, ::1, 10.0.0.1';
  if (chance(rng, 0.1))
    h[`x-${Math.floor(rng() * 1e6)}`] = Buffer.from(bytes(rng, 40).map((b) => 0x20 + (b % 0x5f))).toString('latin1');
  if (chance(rng, 0.05)) h.cookie = `session=${'c'.repeat(Math.floor(rng() * 20_000))}`;
  return h;
}

function genRaw(rng: Rng, run: string): Buffer {
  const crlf = '\r\n';
  const templates: (() => string | Buffer)[] = [
    () => `GET /api/runs/${run} with spaces HTTP/1.1${crlf}Host: x${crlf}Connection: close${crlf}${crlf}`,
    () => `GET /api/runs/ŝ€😀 HTTP/1.1${crlf}Host: x${crlf}Connection: close${crlf}${crlf}`,
    () =>
      `PUT /api/runs/${run}/band HTTP/1.1${crlf}Host: x${crlf}Content-Length: 5${crlf}Transfer-Encoding: chunked${crlf}${crlf}0${crlf}${crlf}`,
    () =>
      `PUT /api/runs/${run}/band HTTP/1.1${crlf}Host: x${crlf}Content-Length: -1${crlf}Connection: close${crlf}${crlf}`,
    () => `POST /api/runs/${run}/stop HTTP/1.1${crlf}Bad Header: x${crlf}${crlf}`,
    () => `GET /\n\n`,
    () => `GET / HTTP/2.0${crlf}${crlf}`,
    () => `CONNECT 127.0.0.1:22 HTTP/1.1${crlf}Host: x${crlf}${crlf}`,
    () => `GET /metrics HTTP/1.1${crlf}Host: x${crlf}X-Big: ${'b'.repeat(20_000)}${crlf}${crlf}`,
    () => `FOO /api/runs HTTP/1.1${crlf}Host: x${crlf}Connection: close${crlf}${crlf}`,
    () =>
      `PUT /api/runs/${run}/band HTTP/1.1${crlf}Host: x${crlf}Authorization: Bearer wrong${crlf}Content-Type: application/json${crlf}Transfer-Encoding: chunked${crlf}Connection: close${crlf}${crlf}zz${crlf}{}${crlf}0${crlf}${crlf}`,
    () => `GET /api/runs HTTP/1.0${crlf}${crlf}`,
    () => bytes(rng, 1 + Math.floor(rng() * 500)),
  ];
  const made = pick(rng, templates)();
  return typeof made === 'string' ? Buffer.from(made, 'utf8') : made;
}

/** `count` seeded requests; `goodToken` lets some mutating requests authenticate. */
function generate(
  seed: string,
  count: number,
  run: string,
  goodToken: (method: string, p: string) => boolean,
): Fuzzed[] {
  const rng = seedrandom.alea(seed);
  return Array.from({ length: count }, (): Fuzzed => {
    if (chance(rng, RAW_SHARE))
      return { kind: 'raw', method: 'RAW', path: '', headers: {}, chunked: false, raw: genRaw(rng, run) };
    const method = pick(rng, [
      'GET',
      'GET',
      'HEAD',
      'POST',
      'POST',
      'PUT',
      'PUT',
      'DELETE',
      'PATCH',
      'OPTIONS',
      'TRACE',
      'PROPFIND',
      'PURGE',
      'LINK',
    ]);
    const p = genPath(rng, run);
    const headers = genHeaders(rng, goodToken(method, p));
    const body = method === 'HEAD' ? undefined : genBody(rng);
    const chunked = body !== undefined && chance(rng, 0.3);
    // Node's client frames a GET/DELETE/OPTIONS/TRACE body only when told how: unframed
    // bytes would be a second, garbage request on the socket, which the raw part covers.
    if (chunked) headers['transfer-encoding'] = 'chunked';
    else if (body !== undefined) headers['content-length'] = String(body.length);
    return { kind: 'http', method, path: p, headers, body, chunked };
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

function sendHttp(base: URL, f: Fuzzed): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: f.method,
        path: f.path,
        headers: f.headers,
        agent,
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    if (f.body !== undefined && f.chunked && f.body.length > 1) {
      req.write(f.body.subarray(0, f.body.length >> 1));
      req.end(f.body.subarray(f.body.length >> 1));
    } else req.end(f.body);
  });
}

function sendRaw(base: URL, f: Fuzzed): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    const done = (): void => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1];
      resolve({ status: status === undefined ? 0 : Number(status), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    };
    socket.setTimeout(3000, done);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', done);
    socket.on('error', done);
    socket.on('close', done);
    socket.end(f.raw ?? Buffer.alloc(0));
  });
}

/** Sends every request, `IN_FLIGHT` at a time, and returns the problems found. */
async function fuzz(url: string, requests: readonly Fuzzed[]): Promise<string[]> {
  const base = new URL(url);
  const problems: string[] = [];
  const describeReq = (i: number, f: Fuzzed): string =>
    f.kind === 'raw'
      ? `#${i} raw ${JSON.stringify(f.raw?.toString('latin1').slice(0, 80))}`
      : `#${i} ${f.method} ${f.path.slice(0, 80)} ${JSON.stringify(f.headers).slice(0, 160)} body=${f.body?.length ?? '-'}`;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < requests.length; i = next++) {
      const f = requests[i] as Fuzzed;
      try {
        const a = f.kind === 'raw' ? await sendRaw(base, f) : await sendHttp(base, f);
        if (a.status === 0 && f.kind === 'http') problems.push(`${describeReq(i, f)}: no response`);
        else if (a.status !== 0 && (a.status < 100 || a.status >= 500))
          problems.push(`${describeReq(i, f)}: status ${a.status}`);
        if (LEAK.test(a.body))
          problems.push(`${describeReq(i, f)}: body leaks ${JSON.stringify(LEAK.exec(a.body)?.[0])}`);
        if (a.status >= 400 && a.body.startsWith('{') && !/^\{"error":"[^\n]*"\}$/.test(a.body))
          problems.push(`${describeReq(i, f)}: error body ${a.body.slice(0, 120)}`);
      } catch (err) {
        problems.push(`${describeReq(i, f)}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return problems;
}

const epochsTotal = async (url: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^lossband_epochs_total(?:\{[^}]*\})? (\S+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
};

describe('HTTP fuzzing, in process', () => {
  it(`answers ${REQUESTS} seeded requests (seed ${SEED}) below 500, leaking nothing`, async () => {
    const run = fakeRun('demo');
    const api = await serveControlApi({ runs: () => [run], token: TOKEN });
    try {
      const problems = await fuzz(
        api.url,
        generate(SEED, REQUESTS, 'demo', () => true),
      );
      expect(problems.slice(0, 20), `seed ${SEED}`).toEqual([]);
      expect(api.counted).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await fetch(`${api.url}/api/runs/demo`)).status).toBe(200);
    } finally {
      await api.server.close();
    }
  }, 120_000);
});

describe('HTTP fuzzing, a live run', () => {
  let child: Tracked | undefined;
  let url = '';
  let wired = false;
  let dir = '';
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-fuzz-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = start(
      'lossband',
      process.execPath,
      [
        path.resolve('bin/lossband.js'),
        'run',
        '--epochs',
        '0',
        '--port',
        String(port),
        '--quiet',
        '--out',
        path.join(dir, 'run'),
      ],
      {
        env: { ...process.env, LOSSBAND_TOKEN: TOKEN },
      },
    );
    const live = child;
    await waitFor('the run to train', async () => ((await epochsTotal(url)) > 0 ? true : undefined), {
      timeoutMs: 60_000,
      context: () => live.output(),
    });
    const res = await fetch(`${url}/api/runs`);
    wired = res.status === 200 && Array.isArray(await res.json());
    if (!wired && !IN_CI) console.warn('[fuzz] the built CLI does not serve /api/runs yet; skipping the live fuzz');
  }, 90_000);
  afterAll(async () => {
    if (child) await stop(child);
    agent.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`answers ${REQUESTS} seeded requests below 500 while training keeps going`, async (ctx) => {
    if (!wired && !IN_CI) ctx.skip();
    expect(wired, 'GET /api/runs answers on a live run').toBe(true);
    const runs = (await (await fetch(`${url}/api/runs`)).json()) as { run: string }[];
    const name = runs[0]?.run ?? 'none';
    const before = await epochsTotal(url);
    // The real token only on band changes: pausing or stopping would end the check below.
    const requests = generate(`${SEED}:live`, REQUESTS, name, (method, p) => method === 'PUT' && p.endsWith('/band'));
    const problems = await fuzz(url, requests);
    expect(problems.slice(0, 20), `seed ${SEED}:live; child output:\n${child?.output().slice(-2000)}`).toEqual([]);
    expect(child?.child.exitCode, 'the run is still alive').toBeNull();
    const view = (await (await fetch(`${url}/api/runs/${name}`)).json()) as { state: string };
    expect(view.state).toBe('running');
    const mid = await epochsTotal(url);
    expect(mid).toBeGreaterThan(before);
    await waitFor('more epochs', async () => ((await epochsTotal(url)) > mid ? true : undefined), {
      timeoutMs: 10_000,
    });
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('lossband_internal_errors_total');
  }, 180_000);
});
