import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { expandSweep } from '../../src/sweep/expand-sweep.js';
import { parseSweep } from '../../src/sweep/parse-sweep.js';
import { sweepCsv, sweepJson, sweepRows } from '../../src/sweep/sweep-results.js';
import { formatSweepTable } from '../../src/sweep/sweep-table.js';

const text = `name: r
grid:
  band: [{lo: 0.3, hi: 0.4}, {lo: 0.2, hi: 0.3}]
  epochs: [10]
  model.hidden: [[8, 4]]
`;
const points = expandSweep(parseSweep(text, 'r.yaml'));

function summary(state: string, extra: Record<string, unknown> = {}) {
  return {
    state,
    epochs: 10,
    finalLoss: 0.31,
    testAccuracy: 0.9,
    inBandFraction: 0.5,
    firstInBandEpoch: 4,
    bandIAE: 1.5,
    finalSigma: 0.2,
    wallSeconds: 2.5,
    band: { lo: 0.3, hi: 0.4 },
    rollbacks: 0,
    ...extra,
  };
}

function sweepDir(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-results-'));
  fs.mkdirSync(path.join(out, points[0]!.name));
  fs.writeFileSync(
    path.join(out, points[0]!.name, 'summary.json'),
    JSON.stringify(summary('finished', { finalLoss: 0.35 })),
  );
  fs.mkdirSync(path.join(out, points[1]!.name));
  // An older summary: the sweep's record of the failure wins over it.
  fs.writeFileSync(path.join(out, points[1]!.name, 'summary.json'), JSON.stringify(summary('stopped', { epochs: 3 })));
  return out;
}

describe('sweep results', () => {
  const out = sweepDir();
  const rows = sweepRows(points, out, [
    { index: 0, name: points[0]!.name, state: 'running' },
    { index: 1, name: points[1]!.name, state: 'failed', error: 'data.csv: no such file' },
  ]);

  it('reads each point’s summary.json figures; a failed point says why', () => {
    expect(rows[0]).toMatchObject({
      index: 0,
      name: points[0]!.name,
      state: 'finished',
      epochs: 10,
      finalLoss: 0.35,
      inBandFraction: 0.5,
      error: null,
      band: { lo: 0.3, hi: 0.4 },
    });
    expect(rows[1]).toMatchObject({ index: 1, state: 'failed', epochs: 3, error: 'data.csv: no such file' });
  });

  it('sweep.json has one row per point: index, name, params, state, the figures, error', () => {
    const json = JSON.parse(sweepJson(rows)) as Record<string, unknown>[];
    expect(json).toHaveLength(2);
    expect(Object.keys(json[0]!)).toEqual([
      'index',
      'name',
      'params',
      'state',
      'epochs',
      'finalLoss',
      'testAccuracy',
      'inBandFraction',
      'firstInBandEpoch',
      'bandIAE',
      'finalSigma',
      'wallSeconds',
      'error',
    ]);
    expect(json[1]!.params).toEqual({ band: { lo: 0.2, hi: 0.3 }, epochs: 10, 'model.hidden': [8, 4] });
  });

  it('sweep.csv spreads object parameters over columns, lists as JSON, and renames a parameter that clashes with a figure', () => {
    const records = parse(sweepCsv(rows), { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([
      'index',
      'name',
      'band.lo',
      'band.hi',
      'params.epochs',
      'model.hidden',
      'state',
      'epochs',
      'finalLoss',
      'testAccuracy',
      'inBandFraction',
      'firstInBandEpoch',
      'bandIAE',
      'finalSigma',
      'wallSeconds',
      'error',
    ]);
    expect(records[1]).toMatchObject({
      index: '1',
      'band.lo': '0.2',
      'band.hi': '0.3',
      'params.epochs': '10',
      'model.hidden': '[8,4]',
      state: 'failed',
      error: 'data.csv: no such file',
    });
    expect(records[0]).toMatchObject({ finalLoss: '0.35', error: '' });
  });

  it('a point without a summary has empty figures and its recorded state', () => {
    const empty = sweepRows(points, fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-results-')), []);
    expect(empty.map((r) => [r.state, r.epochs, r.finalLoss, r.band])).toEqual([
      ['pending', null, null, null],
      ['pending', null, null, null],
    ]);
  });

  it('the final table has a line per point and the failures below it', () => {
    const table = formatSweepTable(rows).split('\n');
    expect(table[0]).toMatch(/^#\s+run\s+state\s+epochs\s+final loss\s+in band\s+test acc\s+wall s$/);
    expect(table[1]).toMatch(
      new RegExp(`^0\\s+${points[0]!.name}\\s+finished\\s+10\\s+0\\.3500\\s+50\\.0%\\s+90\\.0%\\s+2\\.5$`),
    );
    expect(table[2]).toMatch(/^1\s+\S+\s+failed\s+3\s/);
    expect(table.slice(3, 5)).toEqual(['failed:', `  1 ${points[1]!.name}: data.csv: no such file`]);
  });
});
