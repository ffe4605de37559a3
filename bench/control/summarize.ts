import type { Band } from '../../src/core/band.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';
import type { BandStatus } from '../../src/core/band-status.js';
import type { CaseResult } from './run-case.js';

/** The numbers the bench keeps of one run (no events: the JSON stays small). */
export interface RunSummary {
  readonly seed: number;
  readonly firstInBandEpoch: number | null;
  readonly inBandFraction: number | null;
  readonly inBandFractionSmoothed: number | null;
  readonly bandIAE: number;
  readonly sigmaTotalVariation: number;
  readonly sigmaReversals: number;
  /** σ reversals on epochs whose filtered loss sat in the inner half of the band (chatter). */
  readonly innerReversals: number;
  /** Epochs whose filtered loss sat in the inner half of the band. */
  readonly innerEpochs: number;
  /** Raw out-of-band epochs after the first entry. */
  readonly outEpochs: number;
  /** Of those, how many fell within 30 epochs after the first entry (the transfer from descent to noise). */
  readonly outEpochsAfterEntry: number;
  readonly testAccuracy: number;
  readonly finalSigma: number;
  readonly finalDraws: number;
  readonly seconds: number;
  /** CPU seconds of the run (see {@link CaseResult.cpuSeconds}). */
  readonly cpuSeconds: number;
  /** 1-minute load average at the run's start and end. */
  readonly load: readonly [number, number];
  /** Epochs run at each K (noisy copies per sample), K → epochs. */
  readonly drawsEpochs: Readonly<Record<string, number>>;
  /** The loop's verdict after the last epoch, and the first epoch that verdict was given. */
  readonly bandStatus: BandStatus | null;
  readonly bandStatusSince: number | null;
  /** Whether the last epoch reported the band too narrow for the budget, and the jitter it measured. */
  readonly tooNarrow: boolean;
  readonly jitter: number | null;
}

/** Whether `x` is in the inner half of the band: well inside, where σ should hold still. */
export function innerHalf(x: number, band: Band): boolean {
  const q = (band.hi - band.lo) / 4;
  return x >= band.lo + q && x <= band.hi - q;
}

function innerChatter(events: readonly EpochEvent[]): { reversals: number; epochs: number } {
  let reversals = 0;
  let epochs = 0;
  let last = 0;
  for (let k = 1; k < events.length; k++) {
    const e = events[k] as EpochEvent;
    const step = Math.sign(e.sigma - (events[k - 1] as EpochEvent).sigma);
    const inner = innerHalf((events[k - 1] as EpochEvent).smoothedLoss, e.band);
    if (inner) epochs += 1;
    if (step !== 0) {
      if (inner && last !== 0 && step !== last) reversals += 1;
      last = step;
    }
  }
  return { reversals, epochs };
}

/** Condenses one run to its {@link RunSummary}. */
export function summarize(seed: number, r: CaseResult): RunSummary {
  const s = r.stats;
  const last = r.events.at(-1);
  const first = s.firstInBandEpoch;
  const out = first === null ? [] : r.events.filter((e) => e.epoch >= first && !e.inBand);
  const chatter = innerChatter(r.events);
  return {
    seed,
    firstInBandEpoch: first,
    inBandFraction: s.inBandFraction,
    inBandFractionSmoothed: s.inBandFractionSmoothed,
    bandIAE: s.bandIAE,
    sigmaTotalVariation: s.sigmaTotalVariation,
    sigmaReversals: s.sigmaReversals,
    innerReversals: chatter.reversals,
    innerEpochs: chatter.epochs,
    outEpochs: out.length,
    outEpochsAfterEntry: out.filter((e) => first !== null && e.epoch <= first + 30).length,
    testAccuracy: r.testAccuracy,
    finalSigma: last?.sigma ?? NaN,
    finalDraws: last?.draws ?? NaN,
    seconds: r.seconds,
    cpuSeconds: r.cpuSeconds,
    load: r.load,
    drawsEpochs: r.events.reduce<Record<string, number>>((n, e) => ({ ...n, [e.draws]: (n[e.draws] ?? 0) + 1 }), {}),
    bandStatus: last?.bandStatus ?? null,
    bandStatusSince:
      last?.bandStatus === undefined ? null : (r.events.find((e) => e.bandStatus === last.bandStatus)?.epoch ?? null),
    tooNarrow: last?.bandTooNarrow ?? false,
    jitter: last?.jitter ?? null,
  };
}

/** Median of the finite values (NaN if none). */
export function median(xs: readonly (number | null)[]): number {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
}

/** Minimum, treating null as NaN (a run that never entered fails any "min ≥" target). */
export function min(xs: readonly (number | null)[]): number {
  return xs.some((x) => x === null) ? NaN : Math.min(...(xs as number[]));
}

/** Maximum, treating null as NaN. */
export function max(xs: readonly (number | null)[]): number {
  return xs.some((x) => x === null) ? NaN : Math.max(...(xs as number[]));
}
