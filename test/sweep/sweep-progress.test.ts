import { describe, expect, it } from 'vitest';
import { formatDuration, SweepProgress } from '../../src/sweep/sweep-progress.js';

function progress(total = 4, concurrency = 2) {
  const lines: string[] = [];
  let now = 0;
  const p = new SweepProgress({ print: (l) => lines.push(l), total, concurrency, now: () => now });
  return { p, lines, at: (ms: number) => (now = ms) };
}

describe('SweepProgress', () => {
  it('prints a line per ended run and a status line with done/running/failed and the ETA from ended runs', () => {
    const { p, lines, at } = progress();
    p.started('a');
    p.started('b');
    expect(p.status([0.1, 0.1])).toBe('sweep: 0/4 done, 2 running, 0 failed, ETA —');
    at(10_000);
    p.ended({ name: 'a', state: 'finished', epochs: 200, finalLoss: 0.35123, inBandFraction: 0.9 }, [0.5]);
    expect(lines).toEqual([
      '✓ a: finished, 200 epochs, final loss 0.3512, in band 90.0%, 10.0 s',
      // left: 2 pending + 0.5 of b = 2.5 runs of 10 s over 2 lanes
      'sweep: 1/4 done, 1 running, 0 failed, ETA 13 s',
    ]);
    // 2 runs pending, 2 lanes free: 10 s
    p.ended({ name: 'b', state: 'failed', error: 'x.csv: no such file' }, []);
    expect(lines.slice(2)).toEqual([
      '✗ b: failed: x.csv: no such file',
      'sweep: 1/4 done, 0 running, 1 failed, ETA 10 s',
    ]);
  });

  it('counts runs ended in earlier sessions as done, and shows no ETA once nothing is left', () => {
    const { p, lines, at } = progress(2, 2);
    p.skipped(1);
    p.started('c');
    at(3000);
    p.ended({ name: 'c', state: 'stopped', epochs: 7, finalLoss: null, inBandFraction: null }, []);
    expect(lines).toEqual([
      '• c: stopped, 7 epochs, final loss —, in band —, 3.0 s',
      'sweep: 2/2 done, 0 running, 0 failed',
    ]);
  });

  it('formats durations', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
  });
});
