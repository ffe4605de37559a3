import { describe, expect, it } from 'vitest';
import { bandWarnings, type BandWarningKind } from '../../src/control/band-warnings.js';

const base = { band: { lo: 1.5, hi: 1.6 }, smoothedLoss: 1.05, draws: 16 };

describe('bandWarnings', () => {
  it('warns once per kind: an unreachable verdict, and a too-narrow band with its jitter', () => {
    const given = new Set<BandWarningKind>();
    const first = bandWarnings({ ...base, bandStatus: 'unreachable-above' }, given, { chanceLoss: Math.log(3) });
    expect(first.map((w) => w.kind)).toEqual(['unreachable-above']);
    expect(first[0]!.text).toMatch(/\[1.5, 1.6\] is unreachable.*1.099/);
    given.add('unreachable-above');
    expect(bandWarnings({ ...base, bandStatus: 'unreachable-above' }, given)).toEqual([]);
    const narrow = bandWarnings(
      {
        band: { lo: 0.33, hi: 0.35 },
        smoothedLoss: 0.34,
        draws: 16,
        bandStatus: 'not-held',
        jitter: 0.0108,
        bandTooNarrow: true,
      },
      given,
      { budget: 2 },
    );
    expect(narrow.map((w) => w.kind)).toEqual(['too-narrow']);
    expect(narrow[0]!.text).toMatch(
      /width 0.020.*jitter std 0.011 per epoch at K = 16 noisy copies \(noise.budget 2\).*≥ 0.036 wide/,
    );
  });

  it('says nothing while the band is held or not yet held', () => {
    expect(bandWarnings({ ...base, bandStatus: 'held' }, new Set())).toEqual([]);
    expect(bandWarnings({ ...base, bandStatus: 'not-held', bandTooNarrow: false, jitter: 0.01 }, new Set())).toEqual(
      [],
    );
  });
});
