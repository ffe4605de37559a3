import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { alertRules, RULES_FILE, ROOT } from './promql-sources.js';

const ALERT_NAMES = [
  'LossbandLossOutOfBand',
  'LossbandLossDrift',
  'LossbandLossNotFinite',
  'LossbandStalled',
  'LossbandSigmaSaturated',
  'LossbandTrainerDown',
];

const rules = alertRules(readFileSync(RULES_FILE, 'utf8'));

describe('prometheus/rules/lossband.rules.yml', () => {
  it('defines exactly the lossband alerts', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([...ALERT_NAMES].sort());
  });

  it.each(rules.map((r) => [r.alert, r]))('%s has a severity and annotations using $labels and $value', (_name, rule) => {
    expect(['info', 'warning', 'critical']).toContain(rule.labels?.severity);
    const { summary, description } = rule.annotations ?? {};
    expect(summary).toBeTruthy();
    expect(description).toBeTruthy();
    expect(`${summary} ${description}`).toContain('$labels.');
    expect(`${summary} ${description}`).toContain('$value');
  });

  it('has a promtool unit test for every alert', () => {
    const tests = parseYaml(readFileSync(`${ROOT}prometheus/rules/lossband.test.yml`, 'utf8')) as {
      tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
    };
    const firing = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    const silent = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname)));
    for (const name of ALERT_NAMES) {
      expect(firing, `${name} fires in a test`).toContain(name);
      expect(silent, `${name} stays silent in a test`).toContain(name);
    }
  });

  it('is loaded by prometheus.yml and the test file is not', () => {
    const config = parseYaml(readFileSync(`${ROOT}prometheus/prometheus.yml`, 'utf8')) as { rule_files: string[] };
    expect(config.rule_files).toEqual(['rules/*.rules.yml']);
  });
});
