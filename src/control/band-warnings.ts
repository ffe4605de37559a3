import type { Band } from '../core/band.js';
import { describeNarrowBand, describeVerdict, type BandStatus } from './band-verdict.js';

/** What {@link bandWarnings} reads of an epoch event. */
export interface BandWarningEvent {
  readonly band: Band;
  readonly smoothedLoss: number;
  readonly draws: number;
  readonly bandStatus?: BandStatus | undefined;
  readonly jitter?: number | undefined;
  readonly bandTooNarrow?: boolean | undefined;
}

/** Facts the warning texts quote. */
export interface BandWarningContext {
  readonly chanceLoss?: number | undefined;
  /** The controller's hard σ limits (see `sigmaLimits`). */
  readonly sigmaMin?: number;
  readonly sigmaMax?: number;
  readonly budget?: number;
}

/** A warning kind is given once per run: an unreachable verdict of either side, or "too narrow". */
export type BandWarningKind = 'unreachable-above' | 'unreachable-below' | 'too-narrow';

/**
 * The one-time warnings an epoch newly calls for, given the kinds already given. Pure: the
 * caller logs each and adds its kind to `given`.
 *
 * @example
 * for (const w of bandWarnings(event, warned, { chanceLoss: Math.log(3), sigmaMax: 10 })) {
 *   warned.add(w.kind);
 *   log.warn({ epoch: event.epoch }, w.text);
 * }
 */
export function bandWarnings(
  event: BandWarningEvent,
  given: ReadonlySet<BandWarningKind>,
  context: BandWarningContext = {},
): { kind: BandWarningKind; text: string }[] {
  const out: { kind: BandWarningKind; text: string }[] = [];
  const s = event.bandStatus;
  if ((s === 'unreachable-above' || s === 'unreachable-below') && !given.has(s)) {
    const text = describeVerdict(s, event.band, { ...context, smoothed: event.smoothedLoss });
    if (text !== undefined) out.push({ kind: s, text });
  }
  if (event.bandTooNarrow === true && event.jitter !== undefined && !given.has('too-narrow')) {
    const narrow: { jitterAtCap: number; maxDraws: number; budget?: number } = {
      jitterAtCap: event.jitter,
      maxDraws: event.draws,
    };
    if (context.budget !== undefined) narrow.budget = context.budget;
    out.push({ kind: 'too-narrow', text: describeNarrowBand(event.band, narrow) });
  }
  return out;
}
