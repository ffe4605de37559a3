import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { alertRules, recordingRules, RULES_FILE, ROOT } from './promql-sources.js';

const ALERT_NAMES = [
  'LossbandLossOutOfBand',
  'LossbandLossDrift',
  'LossbandLossNotFinite',
  'LossbandStalled',
  'LossbandSigmaSaturated',
  'LossbandTrainerDown',
];

const text = readFileSync(RULES_FILE, 'utf8');
const rules = alertRules(text);
const RULES_DIR = `${ROOT}prometheus/rules/`;

interface UnitTests {
  rule_files: string[];
  tests: Array<{
    alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }>;
    promql_expr_test?: Array<{ expr: string }>;
  }>;
}
const testFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.test.yml'));
const unitTests = new Map(testFiles.map((f) => [f, parseYaml(readFileSync(`${RULES_DIR}${f}`, 'utf8')) as UnitTests]));

describe('prometheus/rules/lossband.rules.yml', () => {
  it('defines exactly the lossband alerts', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([...ALERT_NAMES].sort());
  });

  it('records which targets should be up, and LossbandTrainerDown reads it', () => {
    expect(recordingRules(text).map((r) => r.record)).toEqual(['lossband:target_should_be_up']);
    expect(rules.find((r) => r.alert === 'LossbandTrainerDown')?.expr).toContain('lossband:target_should_be_up == 1');
  });

  it.each(rules.map((r) => [r.alert, r]))(
    '%s has a severity and annotations using $labels and $value',
    (_name, rule) => {
      expect(['info', 'warning', 'critical']).toContain(rule.labels?.severity);
      const { summary, description } = rule.annotations ?? {};
      expect(summary).toBeTruthy();
      expect(description).toBeTruthy();
      expect(`${summary} ${description}`).toContain('$labels.');
      expect(`${summary} ${description}`).toContain('$value');
    },
  );

  it('every unit-test file tests this rule file', () => {
    expect(testFiles.length).toBeGreaterThan(1);
    for (const [file, doc] of unitTests) expect(doc.rule_files, file).toEqual(['lossband.rules.yml']);
  });

  it('has a promtool unit test in which each alert fires and one in which it stays silent', () => {
    const checks = [...unitTests.values()].flatMap((d) => d.tests.flatMap((t) => t.alert_rule_test ?? []));
    const exprs = [...unitTests.values()]
      .flatMap((d) => d.tests.flatMap((t) => t.promql_expr_test ?? []))
      .map((t) => t.expr);
    const firing = new Set(checks.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname));
    const silent = new Set(checks.filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname));
    for (const name of ALERT_NAMES) {
      // A firing check is an alert_rule_test with alerts, or a promql_expr_test on ALERTS naming it.
      expect(firing.has(name) || exprs.some((e) => e.includes(`alertname="${name}"`)), `${name} fires in a test`).toBe(
        true,
      );
      expect(silent, `${name} stays silent in a test`).toContain(name);
    }
  });

  it('the replay of the healthy recording checks every alert silent', () => {
    const replay = unitTests.get('replay-healthy.test.yml');
    const silent = new Set(
      replay?.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname),
      ),
    );
    expect([...silent].sort()).toEqual([...ALERT_NAMES].sort());
  });

  it.each(['prometheus.yml', 'prometheus-http-sd.yml'])('is loaded by %s and the test files are not', (file) => {
    const config = parseYaml(readFileSync(`${ROOT}prometheus/${file}`, 'utf8')) as { rule_files: string[] };
    expect(config.rule_files).toEqual(['rules/*.rules.yml']);
  });
});
