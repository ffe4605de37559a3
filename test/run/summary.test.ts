import { describe, expect, it } from 'vitest';
import { EMPTY_BAND_STATISTICS } from '../../src/control/band-statistics.js';
import { buildSummary, type SummaryInput } from '../../src/run/summary.js';
import { makeEvent } from '../metrics/make-event.js';

const input = (last: SummaryInput['last']): SummaryInput => ({
  run: 'r',
  state: 'finished',
  epochs: 1,
  last,
  band: { lo: 0.3, hi: 0.4 },
  stats: EMPTY_BAND_STATISTICS,
  rollbacks: 0,
  learningRate: 0.01,
  backend: 'js',
  wallSeconds: 1,
  phases: {},
});

describe('buildSummary', () => {
  it('reports the last epoch’s band verdict, too-narrow flag and measured jitter', () => {
    const s = buildSummary(input(makeEvent({ bandStatus: 'unreachable-above', bandTooNarrow: true, jitter: 0.0108 })));
    expect([s.bandStatus, s.bandTooNarrow, s.lossJitter]).toEqual(['unreachable-above', true, 0.0108]);
  });

  it('says null / false before any verdict (no epoch, or events written before verdicts existed)', () => {
    const s = buildSummary(input(undefined));
    expect([s.bandStatus, s.bandTooNarrow, s.lossJitter]).toEqual([null, false, null]);
    const old = buildSummary(input(makeEvent()));
    expect([old.bandStatus, old.bandTooNarrow, old.lossJitter]).toEqual([null, false, null]);
  });
});
