import { describe, expect, it } from 'vitest';
import { createHttpServer, DEFAULT_HTTP_TIMEOUTS, resolveHttpTimeouts } from '../../src/server/http-timeouts.js';

describe('HTTP timeouts', () => {
  it("fills in defaults of seconds, not Node's minutes", () => {
    expect(resolveHttpTimeouts()).toEqual(DEFAULT_HTTP_TIMEOUTS);
    expect(DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs).toBeLessThanOrEqual(10_000);
    expect(resolveHttpTimeouts({ requestTimeoutMs: 20_000 })).toMatchObject({
      requestTimeoutMs: 20_000,
      headersTimeoutMs: 5000,
    });
  });

  it('refuses non-positive values and headers slower than the request, naming the field', () => {
    expect(() => resolveHttpTimeouts({ keepAliveTimeoutMs: 0 })).toThrow('Invalid keepAliveTimeoutMs: 0');
    expect(() => resolveHttpTimeouts({ socketTimeoutMs: Number.NaN })).toThrow('Invalid socketTimeoutMs: NaN');
    expect(() => resolveHttpTimeouts({ headersTimeoutMs: 2000, requestTimeoutMs: 1000 })).toThrow(
      'Invalid headersTimeoutMs: 2000 (expected at most requestTimeoutMs, 1000)',
    );
  });

  it('applies every timeout to the server it creates', () => {
    const server = createHttpServer(() => undefined, {
      headersTimeoutMs: 200,
      requestTimeoutMs: 300,
      keepAliveTimeoutMs: 400,
      socketTimeoutMs: 500,
    });
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.timeout]).toEqual([
      200, 300, 400, 500,
    ]);
  });
});
