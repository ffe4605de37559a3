import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ApiError } from './api-error.js';

/** Printable ASCII without spaces: what fits in a header after `Bearer `, as the config's `token` allows. */
const TOKEN = /^[\x21-\x7e]+$/;
const BEARER = /^Bearer +([^ ]+) *$/i;

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether `given` equals the token whose SHA-256 digest is `expected`, in time that does not
 * depend on where they differ. Comparing the digests, which always have the same length, lets
 * `timingSafeEqual` run on tokens of any length without leaking the expected one's length.
 *
 * @example
 * tokenMatches(createHash('sha256').update('s3cret').digest(), 's3cret'); // true
 */
export function tokenMatches(expected: Buffer, given: string): boolean {
  return timingSafeEqual(expected, sha256(given));
}

/**
 * Middleware that lets a request through only with `Authorization: Bearer <token>`.
 *
 * - No token configured: every request is refused with 403, so a run started without a
 *   token can be watched but never steered.
 * - Missing, malformed or wrong header: 401 with `WWW-Authenticate: Bearer`.
 *
 * The token must be non-empty printable ASCII without spaces; anything else throws at
 * construction, without quoting the secret.
 *
 * @example
 * router.put('/runs/:run/band', bearerAuth(process.env.LOSSBAND_TOKEN), setBand);
 */
export function bearerAuth(token: string | undefined): RequestHandler {
  if (token !== undefined && !TOKEN.test(token)) {
    throw new RangeError(
      `Invalid API token: expected printable ASCII without spaces, got ${token.length} characters that are not`,
    );
  }
  const expected = token === undefined ? undefined : sha256(token);
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (expected === undefined) {
      throw new ApiError(403, 'Authorization: this run has no API token configured, so its control API is read-only');
    }
    const header = req.get('authorization');
    if (header === undefined || header.trim() === '') {
      throw new ApiError(401, 'Authorization: missing, expected "Bearer <token>"', {
        'WWW-Authenticate': 'Bearer realm="lossband"',
      });
    }
    const given = BEARER.exec(header)?.[1];
    if (given === undefined || !tokenMatches(expected, given)) {
      throw new ApiError(401, 'Authorization: invalid bearer token', {
        'WWW-Authenticate': 'Bearer realm="lossband", error="invalid_token"',
      });
    }
    next();
  };
}
