import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageHandler, isPagePath, PAGE_CSP } from '../../src/live/page-handler.js';
import { fetchRaw } from './sse-client.js';

const PAGE_DIR = new URL('../../src/page/', import.meta.url).pathname;
const UPLOT_DIR = new URL('../../node_modules/uplot/dist/', import.meta.url).pathname;

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer(createPageHandler());
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('createPageHandler', () => {
  it('serves the page with the strict CSP and security headers', async () => {
    const res = await fetchRaw(base, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).toBe(readFileSync(join(PAGE_DIR, 'index.html'), 'utf8'));
  });

  it('serves each asset with its content type, uPlot from the installed package', async () => {
    const expected: [string, string, string][] = [
      ['/assets/app.js', 'text/javascript; charset=utf-8', join(PAGE_DIR, 'app.js')],
      ['/assets/series.js', 'text/javascript; charset=utf-8', join(PAGE_DIR, 'series.js')],
      ['/assets/style.css', 'text/css; charset=utf-8', join(PAGE_DIR, 'style.css')],
      ['/assets/uplot.js', 'text/javascript; charset=utf-8', join(UPLOT_DIR, 'uPlot.esm.js')],
      ['/assets/uplot.css', 'text/css; charset=utf-8', join(UPLOT_DIR, 'uPlot.min.css')],
    ];
    for (const [path, type, file] of expected) {
      const res = await fetchRaw(base, `${path}?v=1`);
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 200, type]);
      expect(res.body).toBe(readFileSync(file, 'utf8'));
    }
  });

  it('answers a matching If-None-Match with 304 and HEAD without a body', async () => {
    const first = await fetchRaw(base, '/assets/app.js');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await fetchRaw(base, '/assets/app.js', { headers: { 'if-none-match': etag } });
    expect([again.status, again.body]).toEqual([304, '']);
    const head = await fetchRaw(base, '/', { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(readFileSync(join(PAGE_DIR, 'index.html'))));
  });

  it('serves nothing outside its fixed table: traversal, encodings, case, other files', async () => {
    const attempts = [
      '/assets/../package.json',
      '/assets/..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '/../../../../etc/passwd',
      '/assets//etc/passwd',
      '/assets/app.js/..',
      '/assets/app.js%00.html',
      '/ASSETS/APP.JS',
      '/assets/series.d.ts',
      '/assets/',
      '/assets',
      '/page/app.js',
      '/src/page/app.js',
      '/node_modules/uplot/dist/uPlot.esm.js',
      '/assets/uPlot.esm.js',
      '/assets\\..\\package.json',
      '//etc/passwd',
      '/index.html/',
    ];
    for (const path of attempts) {
      const res = await fetchRaw(base, path);
      expect([path, res.status, JSON.parse(res.body)]).toEqual([path, 404, { error: 'path: no such page or asset' }]);
    }
  });

  it('refuses other methods with 405 and Allow', async () => {
    const res = await fetchRaw(base, '/', { method: 'POST', body: 'x' });
    expect([res.status, res.headers.allow, JSON.parse(res.body)]).toEqual([
      405,
      'GET, HEAD',
      { error: 'method: POST not allowed here; allowed: GET, HEAD' },
    ]);
  });

  it('fails at creation, not on a request, when an asset is missing', () => {
    expect(() => createPageHandler({ pageDir: '/nonexistent-lossband-page' })).toThrow(/ENOENT/);
  });
});

describe('the page as shipped', () => {
  const html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8');

  it('references only assets the handler serves', () => {
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => m[1] as string)
      .filter((r) => !r.startsWith('data:'));
    expect(refs.length).toBeGreaterThan(2);
    for (const ref of refs) expect([ref, isPagePath(`/${ref}`)]).toEqual([ref, true]);
  });

  it('has no inline script or style that the CSP would block', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+="/);
  });

  it('imports only modules the handler serves', () => {
    for (const file of readdirSync(PAGE_DIR).filter((f) => f.endsWith('.js'))) {
      const source = readFileSync(join(PAGE_DIR, file), 'utf8');
      expect([file, isPagePath(`/assets/${file}`)]).toEqual([file, true]);
      for (const m of source.matchAll(/\bfrom '([^']+)'/g)) {
        const target = (m[1] as string).replace(/^\.\//, '/assets/');
        expect([file, m[1], isPagePath(target)]).toEqual([file, m[1], true]);
      }
    }
  });
});
