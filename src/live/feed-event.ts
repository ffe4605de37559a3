/**
 * What the live feed needs of an epoch event. `EpochEvent` satisfies it; so does its JSON
 * form, where a non-finite loss has become `null`. The feed never reads other fields: it
 * stores and forwards the whole event.
 */
export interface FeedEvent {
  /** Run name. */
  readonly run: string;
  /** 1-based epoch number. An epoch not above the run's last one rewinds the history (a resume). */
  readonly epoch: number;
  /** Raw training loss; `null`, NaN or ±Infinity when the epoch diverged. */
  readonly loss: number | null;
}

/**
 * One message of a run's feed, in order:
 * - `epoch`: a finished epoch (live, or replayed from the history);
 * - `reset`: every point with epoch ≥ `epoch` is void (the run resumed from an earlier
 *   checkpoint, or the client's points belong to another server instance); `instance` is the
 *   history's new identity, which reconnecting clients quote back.
 */
export type FeedMessage<E extends FeedEvent = FeedEvent> =
  | { readonly type: 'epoch'; readonly event: E; readonly instance: string }
  | { readonly type: 'reset'; readonly epoch: number; readonly instance: string };

/**
 * Loss as a sortable number: finite values as they are, anything else (a divergence) above
 * every finite value, so decimation keeps it as the bucket's maximum.
 */
export function lossRank(event: FeedEvent): number {
  const { loss } = event;
  return typeof loss === 'number' && Number.isFinite(loss) ? loss : Infinity;
}
