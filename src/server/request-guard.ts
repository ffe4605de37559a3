import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A check that runs on every request before routing (e.g. a Host or Origin check): it
 * returns `true` to let the request through, or answers it itself and returns `false`.
 * Guards run on the thread that serves, so they are built there (they cannot cross a
 * thread boundary).
 *
 * @example
 * const onlyGet: RequestGuard = (req, res) => {
 *   if (req.method === 'GET') return true;
 *   res.writeHead(405).end();
 *   return false;
 * };
 */
export type RequestGuard = (req: IncomingMessage, res: ServerResponse) => boolean;
