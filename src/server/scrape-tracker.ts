/** How waiting for a scrape of the final snapshot ended (see `RunServer.lingerUntilScraped`). */
export type LingerOutcome = 'scraped' | 'no-scraper' | 'timeout';

interface Waiter {
  readonly version: number;
  readonly resolve: (outcome: LingerOutcome) => void;
}

/**
 * Remembers the newest snapshot version a `/metrics` scrape was answered with, and lets a
 * caller wait until a scrape has served a given version: how a run's final state is known
 * to have reached Prometheus before the process exits.
 *
 * @example
 * const tracker = new ScrapeTracker();
 * tracker.scraped(3);
 * await tracker.waitFor(4, 30_000); // 'scraped' once tracker.scraped(4 or more) is called, else 'timeout'
 */
export class ScrapeTracker {
  private newest = 0;
  private waiters: Waiter[] = [];

  /** Whether any scrape has been answered 200 since the server started. */
  get everScraped(): boolean {
    return this.newest > 0;
  }

  /** The newest version a scrape was answered with; 0 before the first. */
  get newestVersion(): number {
    return this.newest;
  }

  /** Records that a scrape was answered with snapshot `version` (≥ 1). */
  scraped(version: number): void {
    if (!(version > this.newest)) return;
    this.newest = version;
    const [done, waiting] = partition(this.waiters, (w) => w.version <= version);
    this.waiters = waiting;
    for (const w of done) w.resolve('scraped');
  }

  /** Resolves `'scraped'` once a scrape served `version` or a later one, `'timeout'` after `timeoutMs` or on {@link close}. */
  waitFor(version: number, timeoutMs: number): Promise<LingerOutcome> {
    if (this.newest >= version) return Promise.resolve('scraped');
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const finish = (outcome: LingerOutcome): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(outcome);
      };
      const waiter: Waiter = { version, resolve: finish };
      this.waiters.push(waiter);
    });
  }

  /** Ends every wait with `'timeout'`: the server is closing. */
  close(): void {
    for (const w of [...this.waiters]) w.resolve('timeout');
  }
}

function partition<T>(xs: readonly T[], test: (x: T) => boolean): [T[], T[]] {
  return [xs.filter(test), xs.filter((x) => !test(x))];
}
