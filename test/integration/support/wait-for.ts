import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `probe` until it returns something other than `undefined`, or fails at the deadline
 * with `what`, the last probe error and `context()` (e.g. a child's output). Polling a real
 * system against a deadline is the only waiting the integration tests do.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  {
    timeoutMs = 30_000,
    intervalMs = 250,
    context,
  }: { timeoutMs?: number; intervalMs?: number; context?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}${context ? `\n${context()}` : ''}`);
    }
    await delay(intervalMs);
  }
}
