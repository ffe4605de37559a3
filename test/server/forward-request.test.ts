import { createServer, request, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createForwarder, type ForwarderOptions } from '../../src/server/forward-request.js';
import type { ForwardFailure } from '../../src/server/front-protocol.js';
import { fakeRun, serveControlApi } from './control-api-fake.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

async function listen(handler: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { server, port: (server.address() as AddressInfo).port };
}

/** A forwarding server in front of `port`; `failures` records what it reports. */
async function front(port: number, options: Partial<ForwarderOptions> = {}): Promise<{ url: string; failures: ForwardFailure[] }> {
  const failures: ForwardFailure[] = [];
  const { port: own } = await listen(createForwarder({ port, onFailure: (f) => void failures.push(f), ...options }));
  return { url: `http://127.0.0.1:${own}`, failures };
}

/** Sends one request with raw control over headers and body; resolves with the whole answer. */
function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) {
  return new Promise<{ status: number; message: string; headers: IncomingMessage['headers']; raw: string[]; body: string }>((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, message: res.statusMessage ?? '', headers: res.headers, raw: res.rawHeaders, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const TOKEN = 'forward-test-token-0123456789';
const json = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

describe('createForwarder in front of the control API', () => {
  async function setup() {
    const run = fakeRun('demo');
    const api = await serveControlApi({ runs: () => [run], token: TOKEN });
    cleanup.push(() => api.server.close());
    const { url } = await front(api.server.port);
    return { run, url };
  }

  it('passes status, headers and JSON bodies both ways', async () => {
    const { run, url } = await setup();
    const list = await fetch(`${url}/api/runs`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toMatch(/^application\/json/);
    expect(list.headers.get('x-content-type-options')).toBe('nosniff');
    expect(((await list.json()) as Array<{ run: string }>)[0]?.run).toBe('demo');
    const put = await fetch(`${url}/api/runs/demo/band`, { method: 'PUT', headers: json, body: '{"lo":0.2,"hi":0.3}' });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { band: unknown }).band).toEqual({ lo: 0.2, hi: 0.3 });
    expect(run.calls).toEqual(['setBand 0.2 0.3']);
  });

  it('passes the API\'s refusals through: 401 with WWW-Authenticate, 405 with Allow, 404', async () => {
    const { run, url } = await setup();
    const unauth = await fetch(`${url}/api/runs/demo/pause`, { method: 'POST' });
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('www-authenticate')).toBe('Bearer realm="lossband"');
    expect(await unauth.json()).toEqual({ error: 'Authorization: missing, expected "Bearer <token>"' });
    const wrong = await fetch(`${url}/api/runs`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    await wrong.text();
    const unknown = await fetch(`${url}/no/such/route`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not found' });
    expect(run.calls).toEqual([]);
  });

  it('streams bodies, so the API\'s 16 KiB limit still answers 413, declared or chunked', async () => {
    const { run, url } = await setup();
    const big = `{"lo":0.1,"hi":0.2,"pad":"${'x'.repeat(17 * 1024)}"}`;
    const declared = await fetch(`${url}/api/runs/demo/band`, { method: 'PUT', headers: json, body: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: 'body: larger than 16384 bytes' });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(1024)));
        controller.close();
      },
    });
    const chunked = await fetch(`${url}/api/runs/demo/band`, { method: 'PUT', headers: json, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    await chunked.text();
    expect(run.calls).toEqual([]);
  });
});

describe('createForwarder', () => {
  it('keeps method, path, query, end-to-end headers and body; drops hop-by-hop headers', async () => {
    let seen: { method?: string; url?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    const upstream = await listen((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body };
        res.writeHead(201, 'Made It', { 'set-cookie': ['a=1', 'b=2'], 'x-answer': 'yes', 'keep-alive': 'timeout=99', connection: 'x-internal', 'x-internal': 'secret' });
        res.end('made');
      });
    });
    const { url } = await front(upstream.port);
    const r = await send(`${url}/some/path?q=1&q=2`, {
      method: 'PATCH',
      headers: { 'x-custom': 'kept', connection: 'x-drop-me', 'x-drop-me': 'gone', te: 'trailers', 'proxy-authorization': 'Basic x', 'content-type': 'text/plain' },
      body: 'payload',
    });
    expect(seen.method).toBe('PATCH');
    expect(seen.url).toBe('/some/path?q=1&q=2');
    expect(seen.body).toBe('payload');
    expect(seen.headers?.['x-custom']).toBe('kept');
    expect(seen.headers?.['content-length']).toBe('7');
    expect(seen.headers?.['x-drop-me']).toBeUndefined();
    expect(seen.headers?.te).toBeUndefined();
    expect(seen.headers?.['proxy-authorization']).toBeUndefined();
    expect(r.status).toBe(201);
    expect(r.message).toBe('Made It');
    expect(r.body).toBe('made');
    expect(r.headers['x-answer']).toBe('yes');
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(r.headers['x-internal']).toBeUndefined();
    expect(r.headers['keep-alive']).not.toBe('timeout=99');
  });

  it('answers 502 JSON, naming nothing internal, when the internal server is down', async () => {
    const gone = await listen(() => undefined);
    await new Promise<void>((resolve) => gone.server.close(() => resolve()));
    const { url, failures } = await front(gone.port);
    const r = await send(`${url}/api/runs`);
    expect(r.status).toBe(502);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(r.body)).toEqual({ error: 'internal server unavailable' });
    expect(r.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|\d{4,5}|at /);
    expect(failures).toEqual(['unavailable']);
  });

  it('answers 504 when the internal server stays silent for timeoutMs', async () => {
    const silent = await listen(() => undefined);
    const { url, failures } = await front(silent.port, { timeoutMs: 50 });
    const r = await send(`${url}/api/runs`);
    expect(r.status).toBe(504);
    expect(JSON.parse(r.body)).toEqual({ error: 'internal server timed out' });
    expect(failures).toEqual(['timeout']);
  });

  it('cuts the connection when the internal server dies mid-answer', async () => {
    const dying = await listen((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => res.destroy());
    });
    const { url, failures } = await front(dying.port);
    await expect(send(`${url}/x`)).rejects.toThrow();
    expect(failures).toEqual(['unavailable']);
  });

  it('aborts the internal request when the client leaves, and reports nothing', async () => {
    let arrived: (req: IncomingMessage) => void = () => undefined;
    const got = new Promise<IncomingMessage>((resolve) => (arrived = resolve));
    const waiting = await listen((req) => arrived(req)); // never answers
    const { url, failures } = await front(waiting.port);
    const client = request(`${url}/api/runs`);
    client.on('error', () => undefined);
    client.end();
    const internal = await got;
    const closed = new Promise<void>((resolve) => internal.socket.once('close', () => resolve()));
    client.destroy();
    await closed;
    expect(failures).toEqual([]);
  });
});
