import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';

/** Where an expression was found, for failure messages. */
export interface PromqlSource {
  readonly where: string;
  readonly expr: string;
}

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DASHBOARD_FILE = `${ROOT}grafana/dashboards/lossband.json`;
export const RULES_FILE = `${ROOT}prometheus/rules/lossband.rules.yml`;

interface Target {
  refId?: string;
  expr?: string;
}
interface Panel {
  title?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  panels?: Panel[];
  annotations?: { list?: Array<{ name?: string; expr?: string }> };
  templating?: { list?: Array<{ name: string; type: string; query?: unknown }> };
}

/** Every PromQL expression in a dashboard: panel targets, annotations and variable selectors. */
export function dashboardExpressions(dashboard: unknown): PromqlSource[] {
  const d = dashboard as Dashboard;
  const out: PromqlSource[] = [];
  const visit = (panels: Panel[] | undefined): void => {
    for (const panel of panels ?? []) {
      for (const t of panel.targets ?? []) {
        if (t.expr !== undefined) out.push({ where: `panel "${panel.title}" target ${t.refId}`, expr: t.expr });
      }
      visit(panel.panels);
    }
  };
  visit(d.panels);
  for (const a of d.annotations?.list ?? []) {
    if (a.expr !== undefined) out.push({ where: `annotation "${a.name}"`, expr: a.expr });
  }
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query' || typeof v.query !== 'string') continue;
    const m = /^label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$/.exec(v.query);
    if (m?.[1] === undefined) throw new Error(`variable ${v.name}: not label_values(selector, label): ${v.query}`);
    out.push({ where: `variable "${v.name}"`, expr: m[1] });
  }
  return out;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
}

type AnyRule = Partial<AlertRule> & Partial<RecordingRule> & { expr: string };

function allRules(text: string): AnyRule[] {
  const doc = parseYaml(text) as { groups: Array<{ rules: AnyRule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

/** The alerting rules of a Prometheus rule file. */
export function alertRules(text: string): AlertRule[] {
  return allRules(text).filter((r): r is AlertRule => r.alert !== undefined);
}

/** The recording rules of a Prometheus rule file. */
export function recordingRules(text: string): RecordingRule[] {
  return allRules(text).filter((r): r is RecordingRule => r.record !== undefined);
}

export function loadDashboard(): unknown {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as unknown;
}

/** The expression of every rule, alerting and recording. */
export function ruleExpressions(): PromqlSource[] {
  return allRules(readFileSync(RULES_FILE, 'utf8')).map((r) => ({
    where: `rule ${r.alert ?? r.record}`,
    expr: r.expr,
  }));
}

/** Names of the series the rule file records, which its own expressions may read. */
export function recordedNames(): string[] {
  return recordingRules(readFileSync(RULES_FILE, 'utf8')).map((r) => r.record);
}

/** Grafana's interval variables, replaced by fixed durations. */
export function substituteIntervals(expr: string, range = '1h', rateInterval = '1m'): string {
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__range', range)
    .replaceAll('$__interval', rateInterval);
}

/** Metric names an expression selects, e.g. `rate(a[5m]) > b` gives a and b. */
export function selectedNames(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const id = node.node.getChild('Identifier');
      if (id !== null) names.push(expr.slice(id.from, id.to));
    },
  });
  return names;
}

/** The scraped series the rules read (recorded series and ALERTS excluded), sorted: what a replay fixture must hold. */
export function ruleInputNames(): string[] {
  const recorded = new Set(recordedNames());
  const names = new Set(ruleExpressions().flatMap((s) => selectedNames(s.expr)));
  return [...names].filter((n) => !recorded.has(n) && !n.startsWith('ALERTS')).sort();
}
