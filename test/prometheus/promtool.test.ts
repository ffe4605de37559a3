/**
 * Every promtool unit-test file under prometheus/rules/ passes `promtool test rules`: the
 * hand-written lossband.test.yml and sweep.test.yml and the replays of recorded runs (replay-*.test.yml). Config
 * and rule-file syntax checks live in test/integration/config-check.test.ts.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { locate } from '../integration/support/binaries.js';
import { run } from '../integration/support/processes.js';
import { ROOT } from './promql-sources.js';

const RULES_DIR = `${ROOT}prometheus/rules/`;
const testFiles = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.test.yml'))
  .sort();
const { paths, missing } = locate(['promtool']);

describe('promtool unit tests', () => {
  it('include the hand-written tests and the replays of recorded runs', () => {
    expect(testFiles).toContain('lossband.test.yml');
    expect(testFiles).toContain('replay-healthy.test.yml');
    expect(testFiles).toContain('replay-drift.test.yml');
    expect(testFiles).toContain('sweep.test.yml');
  });

  it.skipIf(missing !== undefined).each(testFiles)('promtool test rules %s passes', async (file) => {
    const result = await run(paths.promtool, ['test', 'rules', file], undefined, { cwd: RULES_DIR });
    expect(result.output, result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });
});
