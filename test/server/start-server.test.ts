import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/user-error.js';
import { createApp } from '../../src/server/create-app.js';
import { INITIAL_STATE } from '../../src/server/server-state.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { silentLogger } from './silent-logger.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

/** Occupies a loopback port so startServer finds it busy. */
async function occupy(): Promise<number> {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  return (blocker.address() as AddressInfo).port;
}

function track(server: RunningServer | undefined): RunningServer {
  if (server === undefined) throw new Error('expected a server');
  cleanup.push(() => server.close());
  return server;
}

const app = createApp({ state: () => INITIAL_STATE, dispatch: () => Promise.reject(new Error('unused')) });

describe('startServer', () => {
  it('binds an ephemeral loopback port and reports its URL', async () => {
    const server = track(await startServer({ app, ephemeral: true, portExplicit: false, log: silentLogger() }));
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('resolves undefined with a warning when the default port is busy', async () => {
    const port = await occupy();
    const log = silentLogger();
    await expect(startServer({ app, port, portExplicit: false, log })).resolves.toBeUndefined();
    const warning = log.lines.find((l) => l.level === 40);
    expect(warning?.msg).toContain(`port ${port}`);
    expect(warning?.msg).toContain('busy');
  });

  it('rejects with a one-line UserError naming an explicitly requested busy port', async () => {
    const port = await occupy();
    const error = await startServer({ app, port, portExplicit: true, log: silentLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`port ${port} on 127.0.0.1 is already in use`);
    expect((error as UserError).exitCode).toBe(2);
  });

  it('rejects an unbindable host with a UserError naming it', async () => {
    const error = await startServer({
      app,
      host: '203.0.113.1',
      ephemeral: true,
      portExplicit: false,
      log: silentLogger(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^cannot listen on 203\.0\.113\.1:\d+: EADDRNOTAVAIL$/);
  });

  it('refuses port 0 and out-of-range ports, naming the value', async () => {
    await expect(startServer({ app, port: 0, portExplicit: true, log: silentLogger() })).rejects.toThrow(
      'Invalid port: 0',
    );
    await expect(startServer({ app, port: 70000, portExplicit: true, log: silentLogger() })).rejects.toThrow(
      'Invalid port: 70000',
    );
  });

  it('closes promptly with an idle keep-alive connection and an in-flight request open', async () => {
    const server = await startServer({ app, ephemeral: true, portExplicit: false, log: silentLogger() });
    if (server === undefined) throw new Error('expected a server');
    // An idle keep-alive connection: close() alone would wait for it to time out.
    const agentResponse = await fetch(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } });
    await agentResponse.text();
    // A request whose body is never finished keeps a connection busy.
    const hanging = request(`${server.url}/metrics`, { method: 'POST', headers: { 'content-length': '100' } });
    hanging.on('error', () => undefined);
    hanging.write('x');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await server.close(); // idempotent
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('announces its keep-alive timeout and applies the header and request timeouts it is given', async () => {
    const keepAlive = async (server: RunningServer): Promise<string | undefined> =>
      new Promise((resolve, reject) => {
        const req = request(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } }, (res) => {
          res.resume();
          resolve(res.headers['keep-alive'] as string | undefined);
        });
        req.on('error', reject);
        req.end();
      });
    const standard = track(await startServer({ app, ephemeral: true, portExplicit: false, log: silentLogger() }));
    expect(await keepAlive(standard)).toBe('timeout=5');
    const quick = track(
      await startServer({
        app,
        ephemeral: true,
        portExplicit: false,
        timeouts: { keepAliveTimeoutMs: 2000 },
        log: silentLogger(),
      }),
    );
    expect(await keepAlive(quick)).toBe('timeout=2');
  });
});
