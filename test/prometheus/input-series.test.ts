import { describe, expect, it } from 'vitest';
import { fold, seriesName, toInputSeries } from './input-series.js';
import type { SeriesFixture } from './series-fixture.js';

const fixture: SeriesFixture = {
  recording: { note: 'unit test' },
  start: 1000,
  step: 5,
  series: [
    { metric: { __name__: 'up', job: 'lossband', instance: '127.0.0.1:1' }, values: ['1', '1', '1', '0', '0', '0'] },
    {
      metric: { __name__: 'lossband_smoothed_loss', job: 'lossband', instance: '127.0.0.1:1', run: 'a' },
      values: [null, '0.35', '0.36', null, null, null],
    },
    {
      metric: { __name__: 'lossband_last_epoch_timestamp_seconds', job: 'lossband', instance: '127.0.0.1:1', run: 'a' },
      values: ['1004.5', '1009.25', '1014.125', null, null, null],
    },
    {
      metric: { __name__: 'lossband_band_status', job: 'lossband', instance: '127.0.0.1:1', run: 'a', status: 'held' },
      values: [null, null, null, null, null, null],
    },
  ],
};

describe('fold', () => {
  it('folds repeated values as vxN (N more) and gaps as _xN (N in all)', () => {
    expect(fold(['1', '1', '1', '0'])).toBe('1x2 0');
    expect(fold(['_', '_', '_', '0.3'])).toBe('_x3 0.3');
    expect(fold(['0.3', 'stale', '_', '_'])).toBe('0.3 stale _x2');
  });
});

describe('seriesName', () => {
  it('sorts labels and escapes values', () => {
    expect(seriesName({ __name__: 'm', z: '1', a: 'say "hi"\\' })).toBe('m{a="say \\"hi\\"\\\\", z="1"}');
  });
});

describe('toInputSeries', () => {
  it('replays from the window start, marks the first gap after a value stale, and relabels', () => {
    const out = toInputSeries(fixture, { labels: { instance: 'lossband:9464' } });
    expect(out).toContainEqual({ series: 'up{instance="lossband:9464", job="lossband"}', values: '1x2 0x2' });
    expect(out).toContainEqual({
      series: 'lossband_smoothed_loss{instance="lossband:9464", job="lossband", run="a"}',
      values: '_ 0.35 0.36 stale _x2',
    });
  });

  it('shifts Unix-time values by the replay origin and leaves out series with no value', () => {
    const out = toInputSeries(fixture, { from: 5, to: 20 });
    expect(out.find((s) => s.series.startsWith('lossband_last_epoch_timestamp_seconds'))?.values).toBe(
      '4.25 9.125 stale _',
    );
    expect(out.some((s) => s.series.startsWith('lossband_band_status'))).toBe(false);
    expect(out.find((s) => s.series.startsWith('up'))?.values).toBe('1x1 0x1');
  });

  it('a window starting right after a value begins with stale, not with a carried-over value', () => {
    const out = toInputSeries(fixture, { from: 15 });
    expect(out.find((s) => s.series.startsWith('lossband_smoothed_loss'))).toBeUndefined();
    const shifted = toInputSeries(fixture, { from: 10 });
    expect(shifted.find((s) => s.series.startsWith('lossband_smoothed_loss'))?.values).toBe('0.36 stale _x2');
  });

  it('refuses a window off the step grid or outside the recording', () => {
    expect(() => toInputSeries(fixture, { from: 3 })).toThrow(/multiple of the 5 s step/);
    expect(() => toInputSeries(fixture, { to: 60 })).toThrow(/outside the 6 recorded steps/);
  });
});
