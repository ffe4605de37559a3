import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendJson } from './send-json.js';

/**
 * The page's Content-Security-Policy: only this origin's scripts, styles and connections;
 * no inline code, no plugins, no framing, no form posts, no `<base>` games.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Options of {@link createPageHandler}. */
export interface PageHandlerOptions {
  /** Folder with index.html and the page's scripts and styles. Defaults to `page/` beside this module's folder (src/page, or dist/page after the build). */
  readonly pageDir?: string;
  /** Folder with uPlot's `uPlot.esm.js` and `uPlot.min.css`. Defaults to the installed `uplot` package's `dist/`. */
  readonly uplotDir?: string;
}

interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** URL path → [folder key, file name, content type]. The only files ever served. */
const ROUTES: Readonly<Record<string, readonly ['page' | 'uplot', string, string]>> = {
  '/': ['page', 'index.html', HTML],
  '/index.html': ['page', 'index.html', HTML],
  '/assets/app.js': ['page', 'app.js', JS],
  '/assets/api.js': ['page', 'api.js', JS],
  '/assets/chart.js': ['page', 'chart.js', JS],
  '/assets/series.js': ['page', 'series.js', JS],
  '/assets/style.css': ['page', 'style.css', CSS],
  '/assets/uplot.js': ['uplot', 'uPlot.esm.js', JS],
  '/assets/uplot.css': ['uplot', 'uPlot.min.css', CSS],
};

/**
 * Whether `url` (any query) is one of the page's paths, so a router can send it here.
 *
 * @example
 * isPagePath('/assets/app.js'); // true
 */
export function isPagePath(url: string): boolean {
  const q = url.indexOf('?');
  return Object.hasOwn(ROUTES, q < 0 ? url : url.slice(0, q));
}

/**
 * The live page as a plain `node:http` listener: `GET`/`HEAD` of `/`, `/index.html` and the
 * fixed list of `/assets/*` files. The files are read once, here, into memory: the page
 * needs no disk access per request and a missing file fails at start, not on a click.
 * uPlot comes from the installed package (pinned by the lockfile), not a CDN or a vendored
 * copy. Paths are looked up in a fixed table, never joined onto a folder, so no URL reaches
 * another file. Every answer carries {@link PAGE_CSP}, `nosniff` and an ETag (`no-cache`:
 * revalidated, so an upgrade shows at once).
 *
 * @example
 * const page = createPageHandler();
 * createServer((req, res) => (isPagePath(req.url ?? '') ? page(req, res) : api(req, res)));
 */
export function createPageHandler(
  options: PageHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const dirs = {
    page: options.pageDir ?? fileURLToPath(new URL('../page/', import.meta.url)),
    uplot: options.uplotDir ?? dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js')),
  };
  const assets = new Map<string, Asset>();
  for (const [path, [dir, file, contentType]] of Object.entries(ROUTES)) {
    const body = readFileSync(join(dirs[dir], file));
    assets.set(path, {
      body,
      contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const asset = assets.get(q < 0 ? url : url.slice(0, q));
    const security = {
      'Content-Security-Policy': PAGE_CSP,
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    };
    if (asset === undefined) return sendJson(res, 404, { error: 'path: no such page or asset' }, security);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(
        res,
        405,
        { error: `method: ${String(req.method).slice(0, 16)} not allowed here; allowed: GET, HEAD` },
        { ...security, Allow: 'GET, HEAD' },
      );
    }
    const headers = {
      ...security,
      'Content-Type': asset.contentType,
      'Cache-Control': 'no-cache',
      ETag: asset.etag,
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cross-Origin-Opener-Policy': 'same-origin',
    };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'Content-Length': asset.body.length });
    res.end(asset.body); // Node leaves the body out of a HEAD answer
  };
}
