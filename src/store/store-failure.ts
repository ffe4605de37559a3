/**
 * The errnos after which a run cannot keep an honest record: the disk is full or read-only,
 * the run directory is gone, or the process is out of file descriptors. Writing on would tear
 * the history or lose it silently, so the run stops cleanly instead (exit code 4 in the CLI).
 */
const FATAL: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  ENOENT: 'the file or the run directory is gone',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files in the system',
};

/** Exit code of a run stopped by a {@link StoreFailure}: distinct from bad input (2) and divergence (3). */
export const STORE_FAILURE_EXIT_CODE = 4;

/**
 * A write of the run's record that failed in a way the run must stop for (see {@link isFatalStoreError}).
 * Its message is one line naming the file and the errno:
 * `runs/a/events.jsonl: ENOSPC (no space left on the device)`.
 *
 * @example
 * throw new StoreFailure('runs/a/events.jsonl', Object.assign(new Error(), { code: 'ENOSPC' }));
 */
export class StoreFailure extends Error {
  /** The errno name, e.g. `ENOSPC`. */
  readonly code: string;

  constructor(
    /** The file whose write failed. */
    readonly file: string,
    cause: unknown,
  ) {
    const code = errnoOf(cause) ?? 'EIO';
    super(`${file}: ${code} (${FATAL[code] ?? 'write failed'})`, { cause });
    this.name = 'StoreFailure';
    this.code = code;
  }
}

/** The errno name of a Node.js file-system error, if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether a failed write means the run must stop: ENOSPC, EDQUOT, EROFS, ENOENT, EMFILE or ENFILE. */
export function isFatalStoreError(err: unknown): boolean {
  if (err instanceof StoreFailure) return true;
  const code = errnoOf(err);
  return code !== undefined && Object.hasOwn(FATAL, code);
}
