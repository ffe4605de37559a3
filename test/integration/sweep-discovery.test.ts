/**
 * A real `lossband sweep` of the shipped examples/sweep.yaml (its 8 points, trained until
 * stopped instead of 2000 epochs, all 8 at once) behind one loopback port, and a real
 * Prometheus that finds it only through its `GET /api/sd` endpoint, configured from the
 * shipped prometheus-http-sd.yml with the shipped rules (every `for:` cut to 1 s).
 *
 * - every dashboard query, with `$run` expanded as Grafana expands a multi-value selection of
 *   all 8 runs, returns data, and a series for each of the 8 runs where the query is per run;
 * - the sweep overview's queries merge, as Grafana's merge transformation does, into one
 *   complete row per run;
 * - runs stopped through the API end the sweep without LossbandTrainerDown, although the
 *   rule was armed while they ran.
 *
 * Runs train until stopped, so nothing depends on how fast this machine trains; every wait
 * polls Prometheus against a deadline.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { expandSweep, parseSweep } from '../../src/sweep/index.js';
import { dashboardExpressions, loadDashboard, ROOT } from '../prometheus/promql-sources.js';
import { IN_CI, locate } from './support/binaries.js';
import { freePort } from './support/free-port.js';
import { start, stop, stopAll, type Tracked } from './support/processes.js';
import { httpSdConfig, promQuery, promSeries, rulesWithFor, startPrometheus } from './support/prometheus.js';
import { waitFor } from './support/wait-for.js';

const { paths, missing } = locate(['prometheus']);
const CLI_BUILT = existsSync(join(ROOT, 'bin/lossband.js')) && existsSync(join(ROOT, 'dist/cli/main.js'));
const skip = missing ?? (CLI_BUILT ? undefined : 'bin/lossband.js needs dist/: run `npm run build` first');
if (skip !== undefined && !IN_CI) console.warn(`[integration] skipping the sweep discovery checks: ${skip}`);

const TOKEN = 'sweep-discovery-test-token';
/** Series the trainer only exports when the loop measures them (EpochEvent.cleanLoss is optional). */
const OPTIONAL_METRICS = ['lossband_clean_loss'];
/** Alert series: empty while nothing fires; stack.test.ts covers them with an out-of-band run. */
const ALERT_SERIES = 'ALERTS{';

let tmp = '';
let promUrl = '';
let sweepUrl = '';
let instance = '';
let runs: string[] = [];
let sweep: Tracked | undefined;
let prometheus: Tracked | undefined;

const logs = (): string =>
  [sweep, prometheus]
    .filter((p): p is Tracked => p !== undefined)
    .map((p) => `--- ${p.name} ---\n${p.output().slice(-3000)}`)
    .join('\n');

/** A value as Grafana's Prometheus data source escapes it in a regex matcher (inside a PromQL string). */
const regexEscape = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');

/** The dashboard variables as Grafana expands them with job lossband, this instance and all runs selected one by one. */
function substitute(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '10s')
    .replaceAll('$__range', '1m')
    .replaceAll('$job', 'lossband')
    .replaceAll('$instance', regexEscape(instance))
    .replaceAll('$run', `(${runs.map(regexEscape).join('|')})`);
}

/** The shipped examples/sweep.yaml, trained until stopped. */
function sweepText(): string {
  const doc = parseYaml(readFileSync(join(ROOT, 'examples/sweep.yaml'), 'utf8')) as { base: { epochs?: number } };
  expect(doc.base.epochs).toBe(2000);
  doc.base.epochs = 0;
  return stringifyYaml(doc);
}

/** How many times Prometheus has evaluated the lossband rule group, from its own /metrics. */
async function ruleIterations(): Promise<number> {
  const text = await (await fetch(`${promUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => /^prometheus_rule_group_iterations_total\{[^}]*;lossband"\}/.test(l));
  if (line === undefined) throw new Error('no prometheus_rule_group_iterations_total for the lossband group');
  return Number(line.split(' ').at(-1));
}

describe('sweep discovery prerequisites', () => {
  it.runIf(IN_CI)('has prometheus and a built CLI in CI', () => expect(skip).toBeUndefined());
});

describe.skipIf(skip !== undefined)('a real sweep discovered by a real Prometheus through /api/sd', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lossband-sweep-sd-'));
    mkdirSync(join(tmp, 'rules'));
    const file = join(tmp, 'sweep.yaml');
    writeFileSync(file, sweepText());
    runs = expandSweep(parseSweep(readFileSync(file, 'utf8'), file)).map((p) => p.name);
    expect(runs).toHaveLength(8);

    const [sweepPort, promPort] = [await freePort(), await freePort()];
    instance = `127.0.0.1:${sweepPort}`;
    sweepUrl = `http://${instance}`;
    promUrl = `http://127.0.0.1:${promPort}`;
    sweep = start(
      'lossband sweep',
      process.execPath,
      [
        'bin/lossband.js',
        'sweep',
        file,
        '--out',
        join(tmp, 'out'),
        '--port',
        String(sweepPort),
        '--concurrency',
        '8',
        '--quiet',
      ],
      { cwd: ROOT, env: { ...process.env, LOSSBAND_TOKEN: TOKEN } },
    );
    writeFileSync(join(tmp, 'prometheus.yml'), httpSdConfig(`${sweepUrl}/api/sd`, join(tmp, 'rules', '*.rules.yml')));
    writeFileSync(join(tmp, 'rules', 'lossband.rules.yml'), rulesWithFor('1s'));
    prometheus = startPrometheus(paths.prometheus, tmp, promPort);
    await waitFor('Prometheus to be ready', async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), {
      timeoutMs: 30_000,
      context: logs,
    });
    // Every run scraped through the one discovered target, with at least one epoch behind it.
    await waitFor(
      'all 8 runs scraped through the discovered target',
      async () => {
        const up = await promQuery(promUrl, `up{job="lossband", instance="${instance}"} == 1`);
        const trained = await promQuery(promUrl, `lossband_epochs_total{job="lossband", instance="${instance}"} > 0`);
        const seen = new Set(trained.map((s) => s.metric.run));
        return up.length === 1 && runs.every((r) => seen.has(r)) ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000, context: logs },
    );
  }, 180_000);

  afterAll(async () => {
    await stopAll();
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  it('lists one target for all 8 live runs at /api/sd', async () => {
    const res = await fetch(`${sweepUrl}/api/sd`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const groups = (await res.json()) as Array<{ targets: string[]; labels: Record<string, string> }>;
    expect(groups).toHaveLength(1);
    expect(groups[0]?.targets).toEqual([instance]);
    expect(groups[0]?.labels.__meta_lossband_runs?.split(',').sort()).toEqual([...runs].sort());
    // __meta_ labels are for relabelling only: no series carries them.
    const labels = Object.keys((await promSeries(promUrl, `lossband_epochs_total{instance="${instance}"}`))[0] ?? {});
    expect(labels.sort()).toEqual(['__name__', 'instance', 'job', 'run']);
  });

  it('every dashboard query returns data, for each of the 8 runs where it is per run', async () => {
    const sources = dashboardExpressions(loadDashboard()).filter((s) => !s.expr.startsWith(ALERT_SERIES));
    expect(sources.length).toBeGreaterThan(30);
    let failures: string[] = [];
    await waitFor(
      'every dashboard query to return data for every run',
      async () => {
        failures = [];
        for (const { where, expr } of sources) {
          const q = substitute(expr);
          if (OPTIONAL_METRICS.some((m) => q.startsWith(`${m}{`))) continue;
          const rows = where.startsWith('variable')
            ? await promSeries(promUrl, q)
            : (await promQuery(promUrl, q)).map((s) => s.metric);
          if (rows.length === 0) {
            failures.push(`${where}: no data: ${q}`);
            continue;
          }
          // Per run: it selects by $run and keeps the run label (the run variable lists them all).
          if (!expr.includes('run=~"$run"') && !where.startsWith('variable "run"')) continue;
          const got = [...new Set(rows.map((r) => r.run ?? '(no run label)'))].sort();
          if (JSON.stringify(got) !== JSON.stringify([...runs].sort()))
            failures.push(`${where}: runs ${got.join(', ')}: ${q}`);
        }
        return failures.length === 0 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000, context: () => `still failing:\n${failures.join('\n')}\n${logs()}` },
    );
    expect(failures).toEqual([]);
  }, 150_000);

  it('the sweep overview merges into one complete row per run, as Grafana merges its table queries', async () => {
    const panel = (
      loadDashboard() as {
        panels: Array<{ title?: string; targets?: Array<{ refId: string; expr: string }> }>;
      }
    ).panels.find((p) => p.title === 'Sweep overview');
    const targets = panel?.targets ?? [];
    expect(targets.length).toBeGreaterThanOrEqual(4);
    // Grafana's merge: rows join on the fields every query has, and only when no shared field disagrees.
    const rows: Array<Record<string, string>> = [];
    for (const { refId, expr } of targets) {
      for (const { metric, value } of await promQuery(promUrl, substitute(expr))) {
        const row = { ...metric, [`Value #${refId}`]: value[1] };
        const into = rows.find((r) => Object.keys(row).every((k) => r[k] === undefined || r[k] === row[k]));
        if (into) Object.assign(into, row);
        else rows.push(row);
      }
    }
    expect(rows.map((r) => r.run).sort()).toEqual([...runs].sort());
    for (const row of rows) {
      expect(Object.keys(row).sort(), row.run).toEqual(
        ['instance', 'job', 'run', 'state', ...targets.map((t) => `Value #${t.refId}`)].sort(),
      );
      expect(row.state, row.run).toBe('running');
    }
  });

  it('runs stopped through the API end the sweep, and LossbandTrainerDown stays silent', async () => {
    // Armed: while the runs train, a target that went down would fire.
    const armed = await promQuery(promUrl, `lossband:target_should_be_up{instance="${instance}"}`);
    expect(armed.map((s) => s.value[1])).toEqual(['1']);

    for (const run of runs) {
      const res = await fetch(`${sweepUrl}/api/runs/${encodeURIComponent(run)}/stop`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status, `${run}: ${await res.text()}`).toBeLessThan(300);
    }
    const code = await sweep?.exited;
    expect(code, logs()).toBe('0');

    // The final state of every run was scraped before the process went away.
    const stopped = await promQuery(
      promUrl,
      `last_over_time(lossband_run_state{instance="${instance}", state="stopped"}[10m]) == 1`,
    );
    expect(stopped.map((s) => s.metric.run).sort()).toEqual([...runs].sort());

    // Enough rule evaluations after the exit for the alert (`for:` 1 s) to have fired twice over.
    const after = await ruleIterations();
    await waitFor(
      'five more evaluations of the lossband rules',
      async () => ((await ruleIterations()) >= after + 5 ? true : undefined),
      { timeoutMs: 60_000, context: logs },
    );
    expect(await promQuery(promUrl, 'count_over_time(ALERTS{alertname="LossbandTrainerDown"}[10m])')).toEqual([]);
    if (prometheus) await stop(prometheus);
  }, 120_000);
});
