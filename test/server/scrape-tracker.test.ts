import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScrapeTracker } from '../../src/server/scrape-tracker.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('ScrapeTracker', () => {
  it('knows whether anything was ever scraped', () => {
    const tracker = new ScrapeTracker();
    expect(tracker.everScraped).toBe(false);
    tracker.scraped(1);
    expect(tracker.everScraped).toBe(true);
  });

  it('resolves a wait once a scrape serves that version or a later one, not an earlier one', async () => {
    const tracker = new ScrapeTracker();
    let outcome: string | undefined;
    void tracker.waitFor(5, 60_000).then((o) => (outcome = o));
    tracker.scraped(4);
    await Promise.resolve();
    expect(outcome).toBeUndefined();
    tracker.scraped(7);
    await Promise.resolve();
    expect(outcome).toBe('scraped');
    await expect(tracker.waitFor(6, 60_000)).resolves.toBe('scraped');
  });

  it('times out, and close ends every wait', async () => {
    vi.useFakeTimers();
    const tracker = new ScrapeTracker();
    const timedOut = tracker.waitFor(2, 1000);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(timedOut).resolves.toBe('timeout');
    const closed = tracker.waitFor(2, 60_000);
    tracker.close();
    await expect(closed).resolves.toBe('timeout');
    tracker.scraped(2); // nothing left waiting
  });
});
