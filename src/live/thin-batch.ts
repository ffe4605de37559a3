import { lossRank, type FeedEvent, type FeedMessage } from './feed-event.js';

/**
 * A live batch with at most about `maxPoints` epochs per run of consecutive epochs: each run
 * longer than that is cut into buckets that keep their lowest- and highest-loss epochs (so
 * spikes and divergences survive, as in the history and `report.svg`), and its last epoch is
 * always kept, so a client's last point is the run's. Resets stay where they were. A batch
 * within the limit is returned as it is (the same array).
 *
 * A run training faster than a chart can show (Iris does over 1000 epochs/s) would otherwise
 * cost every open page one message per epoch; thinned, it costs at most `maxPoints` per batch.
 *
 * ```
 * epoch:  1 2 3 4 5 6 7 8 9   maxPoints 6 → buckets 1–4 and 5–8, then the last
 * loss:   5 3 4 6 2 2 7 1 4
 * kept:     2   4     7 8 9   (low 2, high 4; high 7, low 8; last 9)
 * ```
 *
 * @example
 * feed.deliver(thinBatch(batch, 32));
 */
export function thinBatch<E extends FeedEvent>(
  messages: readonly FeedMessage<E>[],
  maxPoints: number,
): readonly FeedMessage<E>[] {
  if (messages.length <= maxPoints) return messages;
  const out: FeedMessage<E>[] = [];
  let segment: E[] = [];
  let instance = '';
  const flush = (): void => {
    for (const event of thinEvents(segment, maxPoints)) out.push({ type: 'epoch', event, instance });
    segment = [];
  };
  for (const m of messages) {
    if (m.type === 'reset') {
      flush();
      out.push(m);
    } else {
      segment.push(m.event);
      instance = m.instance;
    }
  }
  flush();
  return out;
}

/** `events` (in epoch order) thinned to at most `maxPoints`, the last one always kept. */
function thinEvents<E extends FeedEvent>(events: readonly E[], maxPoints: number): E[] {
  if (events.length <= maxPoints) return [...events];
  const last = events.at(-1) as E;
  const buckets = Math.max(1, Math.floor((maxPoints - 1) / 2));
  const body = events.length - 1;
  const kept: E[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * body) / buckets);
    const to = Math.floor(((b + 1) * body) / buckets);
    if (to <= from) continue;
    let low = events[from] as E;
    let high = low;
    for (let i = from + 1; i < to; i++) {
      const e = events[i] as E;
      if (lossRank(e) < lossRank(low)) low = e;
      if (lossRank(e) >= lossRank(high)) high = e;
    }
    if (low.epoch <= high.epoch) kept.push(low);
    if (high !== low) kept.push(high);
    if (low.epoch > high.epoch) kept.push(low);
  }
  kept.push(last);
  return kept;
}
