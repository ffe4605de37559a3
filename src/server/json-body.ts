import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { ApiError } from './api-error.js';
import { describeIssue } from './api-schemas.js';

/** Options of {@link jsonBody}. */
export interface JsonBodyOptions {
  /** Whether a request without a body is refused (400). Defaults to true. */
  readonly required?: boolean | undefined;
  /** Largest body accepted, in bytes; larger ones get 413. Defaults to 16384 (16 KiB). */
  readonly limitBytes?: number | undefined;
}

/** Keys that reach `Object.prototype` when an object is merged or assigned into another. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** The same keys spelled plainly in the raw text, checked before anything is parsed. */
const FORBIDDEN_RAW = /"(__proto__|constructor|prototype)"\s*:/;
const JSON_TYPE = /^application\/(?:json|[a-z0-9.!#$&^_-]+\+json)$/;

class ForbiddenKey extends Error {}

/**
 * Middleware that reads a JSON request body, validates it with `schema` and leaves the
 * result in `res.locals.body`; nothing downstream sees the raw body. Every refusal is an
 * {@link ApiError} with a one-line reason:
 *
 * - 415: a body whose `Content-Type` is not `application/json` (or `…+json`), a charset other
 *   than UTF-8, or a `Content-Encoding`;
 * - 413: more than `limitBytes`;
 * - 400: no body when one is required, invalid UTF-8, invalid JSON, a `__proto__`,
 *   `constructor` or `prototype` key anywhere (raw or `\u`-escaped), or a schema violation,
 *   which names the field (`lo: Too small: expected number to be >=0`).
 *
 * @example
 * router.put('/runs/:run/band', jsonBody(bandBodySchema), (_req, res) => setBand(res.locals.body));
 */
export function jsonBody<T>(schema: z.ZodType<T>, options: JsonBodyOptions = {}): RequestHandler {
  const { required = true, limitBytes = 16384 } = options;
  const readRaw = express.raw({ type: () => true, limit: limitBytes, inflate: false });
  return (req: Request, res: Response, next: NextFunction): void => {
    const type = req.get('content-type');
    const present = hasBody(req);
    if (type !== undefined || present) checkContentType(type);
    if (!present) {
      if (required) throw new ApiError(400, 'body: missing, expected a JSON object');
      res.locals.body = schema.parse({});
      next();
      return;
    }
    readRaw(req, res, (err?: unknown) => {
      if (err !== undefined && err !== null) {
        const tooLarge = (err as { type?: unknown }).type === 'entity.too.large';
        next(tooLarge ? new ApiError(413, `body: larger than ${limitBytes} bytes`) : err);
        return;
      }
      try {
        res.locals.body = parseBody(req.body as unknown, schema, required);
        next();
      } catch (error) {
        next(error);
      }
    });
  };
}

/** Whether the request announces a body (RFC 9112 §6.3); `Content-Length: 0` announces none. */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

function checkContentType(header: string | undefined): void {
  const [media = '', ...params] = (header ?? '').split(';');
  if (!JSON_TYPE.test(media.trim().toLowerCase())) {
    throw new ApiError(415, 'Content-Type: expected application/json');
  }
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8')
      throw new ApiError(415, 'Content-Type: unsupported charset, expected utf-8');
  }
}

function parseBody<T>(raw: unknown, schema: z.ZodType<T>, required: boolean): T {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, 'body: not valid UTF-8');
  }
  if (text.trim() === '') {
    if (required) throw new ApiError(400, 'body: empty, expected a JSON object');
    text = '{}';
  }
  const rawKey = FORBIDDEN_RAW.exec(text)?.[1];
  if (rawKey !== undefined) throw new ApiError(400, `body: forbidden key "${rawKey}"`);
  let value: unknown;
  try {
    value = JSON.parse(text, (key: string, v: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey(key);
      return v;
    });
  } catch (error) {
    if (error instanceof ForbiddenKey) throw new ApiError(400, `body: forbidden key "${error.message}"`);
    if (error instanceof RangeError) throw new ApiError(400, 'body: nested too deeply');
    const at = /position (\d+)/.exec(String((error as Error).message))?.[1];
    throw new ApiError(400, at === undefined ? 'body: not valid JSON' : `body: not valid JSON (at position ${at})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError(400, describeIssue(parsed.error));
  return parsed.data;
}
