import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ROOT } from '../../prometheus/promql-sources.js';
import { start, type Tracked } from './processes.js';

/** One sample of an instant query's result. */
export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query against a real Prometheus at `url`; rejects with the expression and Prometheus' error. */
export async function promQuery(url: string, expr: string): Promise<Sample[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

/** The label sets of the series matching `selector` (`/api/v1/series`), as Grafana's label_values reads them. */
export async function promSeries(url: string, selector: string): Promise<Array<Record<string, string>>> {
  const res = await fetch(`${url}/api/v1/series?match[]=${encodeURIComponent(selector)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: Array<Record<string, string>> };
  if (body.status !== 'success') throw new Error(`${selector}: ${body.error}`);
  return body.data ?? [];
}

/** The shipped prometheus/rules/lossband.rules.yml with every `for:` cut to `duration`, so alerts fire within seconds. */
export function rulesWithFor(duration: string): string {
  const doc = parseYaml(readFileSync(join(ROOT, 'prometheus/rules/lossband.rules.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ for?: string }> }>;
  };
  for (const rule of doc.groups.flatMap((g) => g.rules)) if (rule.for !== undefined) rule.for = duration;
  return stringifyYaml(doc);
}

/**
 * The shipped prometheus/prometheus-http-sd.yml on loopback: its lossband job discovering
 * targets at `sdUrl` (refreshed every second), scraping and evaluating every second, the
 * rules from `ruleFiles`, no Alertmanager and no other job. Throws if the shipped file no
 * longer discovers through `http://lossband:9464/api/sd`.
 */
export function httpSdConfig(sdUrl: string, ruleFiles: string): string {
  const doc = parseYaml(readFileSync(join(ROOT, 'prometheus/prometheus-http-sd.yml'), 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    alerting?: unknown;
    scrape_configs: Array<{
      job_name: string;
      scrape_interval?: string;
      http_sd_configs?: Array<{ url: string; refresh_interval?: string }>;
    }>;
  };
  const job = doc.scrape_configs.find((s) => s.job_name === 'lossband');
  const sd = JSON.stringify(job?.http_sd_configs);
  if (job === undefined || sd !== JSON.stringify([{ url: 'http://lossband:9464/api/sd', refresh_interval: '5s' }]))
    throw new Error(`prometheus-http-sd.yml: the lossband job does not discover through lossband:9464/api/sd (${sd})`);
  doc.global = { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  doc.rule_files = [ruleFiles];
  delete doc.alerting;
  doc.scrape_configs = [{ ...job, scrape_interval: '1s', http_sd_configs: [{ url: sdUrl, refresh_interval: '1s' }] }];
  return stringifyYaml(doc);
}

/**
 * Starts a real Prometheus on loopback `port` with `dir`/prometheus.yml, keeping its TSDB in
 * `dir`/prom; `stopAll` from ./processes.js ends it.
 */
export function startPrometheus(binary: string, dir: string, port: number): Tracked {
  return start(
    'prometheus',
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { cwd: dir },
  );
}
