import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ruleInputNames } from './promql-sources.js';
import { duration, endRecording, FIXTURES_DIR, renderReplayTests } from './replay-tests.js';
import { loadSeriesFixture, type SeriesFixture } from './series-fixture.js';

/** Rule inputs the recorded trainer (lossband at the recording's commit) did not export yet. */
const NOT_RECORDED = ['lossband_band_status'];

describe('replays of recorded runs', () => {
  it.each(renderReplayTests().map((f) => [f.path.replace(/^.*\//, ''), f]))(
    '%s matches a fresh render (npx tsx test/prometheus/replay-tests.ts)',
    (_name, file) => {
      expect(readFileSync(file.path, 'utf8')).toBe(file.text);
    },
  );

  it.each(['healthy-30m.json', 'drift-fixed-sigma.json'])(
    'fixture %s holds every series the rules read, scraped every 5 s',
    (name) => {
      const fixture = loadSeriesFixture(`${FIXTURES_DIR}${name}`);
      expect(fixture.step).toBe(5);
      const names = new Set(fixture.series.map((s) => s.metric.__name__));
      for (const input of ruleInputNames().filter((n) => !NOT_RECORDED.includes(n)))
        expect(names, input).toContain(input);
      expect(fixture.recording.commands).toBeDefined();
    },
  );
});

describe('duration', () => {
  it('prints promtool durations', () => {
    expect([duration(0), duration(45), duration(60), duration(1805)]).toEqual(['0s', '45s', '1m', '30m5s']);
    expect(() => duration(1.5)).toThrow(/whole number/);
  });
});

describe('endRecording', () => {
  const fixture: SeriesFixture = {
    recording: {},
    start: 0,
    step: 5,
    series: [
      { metric: { __name__: 'up' }, values: ['1', '1', '1'] },
      { metric: { __name__: 'lossband_run_state', state: 'running' }, values: ['1', '1', '1'] },
      { metric: { __name__: 'lossband_run_state', state: 'finished' }, values: ['0', '0', '0'] },
      { metric: { __name__: 'lossband_loss_non_finite_total' }, values: ['0', '0', '0'] },
      { metric: { __name__: 'lossband_training_loss' }, values: ['0.3', '0.31', '0.32'] },
    ],
  };
  const values = (f: SeriesFixture): Array<readonly (string | null)[]> => f.series.map((s) => s.values);

  it('appends one scrape showing the terminal state, then failed scrapes', () => {
    expect(values(endRecording(fixture, 2, 'finished', 2))).toEqual([
      ['1', '1', '1', '0', '0'],
      ['1', '1', '0', null, null],
      ['0', '0', '1', null, null],
      ['0', '0', '0', null, null],
      ['0.3', '0.31', '0.31', null, null],
    ]);
  });

  it('a diverged ending shows a NaN loss and one more non-finite epoch; a crash shows nothing', () => {
    const diverged = values(endRecording(fixture, 2, 'diverged', 1));
    expect(diverged[3]).toEqual(['0', '0', '1', null]);
    expect(diverged[4]).toEqual(['0.3', '0.31', 'NaN', null]);
    expect(values(endRecording(fixture, 2, 'crash', 1))[1]).toEqual(['1', '1', null]);
  });
});
