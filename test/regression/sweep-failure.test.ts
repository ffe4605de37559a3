import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { eventEpochs, lossband, oneToN, readJson, sweepFile, tmp } from '../sweep/sweep-cli.js';

// Issue 13 §2: "A failed run does not stop the others."
describe('lossband sweep with a failing point', () => {
  it('records the failure with its one-line error, trains every other point, and exits 1', async () => {
    const missing = path.join(tmp(), 'no-such.csv');
    const file = sweepFile(
      `name: fail\nbase:\n  epochs: 25\ngrid:\n  data.path: [iris, ${JSON.stringify(missing)}, wine, iris]\n  seed: [5]\n`,
    );
    const out = path.join(tmp(), 'sweep');
    const r = await lossband(['sweep', file, '--out', out, '--port', '0', '--concurrency', '2']);
    expect(r.code).toBe(1);
    const failedName = fs.readdirSync(out).find((n) => n.startsWith('fail-1-'));
    const names = readJson<{ name: string }[]>(out, 'sweep.json').map((row) => row.name);
    expect(r.stdout).toContain(`✗ ${names[1]}: failed: ${missing}: no such file`);
    expect(r.stdout).toMatch(/sweep: 3\/4 done, 0 running, 1 failed$/m);
    expect(r.stderr).toBe('');

    for (const i of [0, 2, 3]) {
      expect(readJson(out, names[i]!, 'summary.json')).toMatchObject({ state: 'finished', epochs: 25 });
      expect(eventEpochs(path.join(out, names[i]!))).toEqual(oneToN(25));
    }
    expect(failedName).toBeUndefined(); // it failed before its run directory was made

    const rows = parse(fs.readFileSync(path.join(out, 'sweep.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((row) => row.state)).toEqual(['finished', 'failed', 'finished', 'finished']);
    expect(rows[1]).toMatchObject({
      'data.path': missing,
      seed: '5',
      epochs: '',
      finalLoss: '',
      error: `${missing}: no such file`,
    });
    expect(readJson<{ points: { state: string; error?: string }[] }>(out, 'sweep-state.json').points[1]).toEqual({
      index: 1,
      name: names[1],
      state: 'failed',
      error: `${missing}: no such file`,
    });
    // The final table names the failure too.
    expect(r.stdout).toContain(`failed:\n  1 ${names[1]}: ${missing}: no such file`);

    // Resuming retries only the failed point (the data may have been fixed); here it fails again.
    const before = fs.readFileSync(path.join(out, names[0]!, 'events.jsonl'), 'utf8');
    const again = await lossband(['sweep', '--resume', out, '--port', '0']);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(
      'resuming: 3 already ended (left as they are), 0 to continue from their checkpoints, 1 to start',
    );
    expect(fs.readFileSync(path.join(out, names[0]!, 'events.jsonl'), 'utf8')).toBe(before);
  }, 180_000);
});
