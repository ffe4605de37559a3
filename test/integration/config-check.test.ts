import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { LossbandMetrics } from '../../src/metrics/lossband-metrics.js';
import { registerProcessMetrics } from '../../src/metrics/process-metrics.js';
import { startRunServer } from '../../src/server/start-run-server.js';
import { makeEvent } from '../metrics/make-event.js';
import { ROOT } from '../prometheus/promql-sources.js';
import { IN_CI, locate } from './support/binaries.js';
import { run } from './support/processes.js';

const { paths, missing } = locate(['promtool', 'amtool', 'alertmanager', 'dockerCompose']);
/** Every Prometheus config shipped in prometheus/ (rule and test files live in prometheus/rules/). */
const PROMETHEUS_CONFIGS = readdirSync(join(ROOT, 'prometheus'))
  .filter((f) => f.endsWith('.yml'))
  .sort();
const tmp = mkdtempSync(join(tmpdir(), 'lossband-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a tool from the repo root and expects success, showing its output otherwise. */
async function expectSuccess(
  command: string,
  args: string[],
  input?: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const result = await run(command, args, input, { cwd: ROOT, env: { ...process.env, ...env } });
  expect(result.code, `${command} ${args.join(' ')}\n${result.output}`).toBe(0);
  return result.output;
}

describe('integration tools', () => {
  it.runIf(IN_CI)('are installed in CI', () => {
    expect(missing).toBeUndefined();
  });
});

describe('prometheus/', () => {
  it('ships the static and the HTTP service-discovery Prometheus configs', () => {
    expect(PROMETHEUS_CONFIGS).toEqual(expect.arrayContaining(['prometheus.yml', 'prometheus-http-sd.yml']));
  });
});

describe.skipIf(missing !== undefined)('configuration checked by the real tools', () => {
  // The unit tests of the rules (promtool test rules) run in test/prometheus/promtool.test.ts.
  it.each(PROMETHEUS_CONFIGS)('promtool check config accepts prometheus/%s and finds the rule file', async (file) => {
    const out = await expectSuccess(paths.promtool, ['check', 'config', `prometheus/${file}`]);
    expect(out).toContain('1 rule files found');
    expect(out).toContain('SUCCESS: 7 rules found');
  });

  it('promtool check rules accepts the rule file', async () => {
    const out = await expectSuccess(paths.promtool, ['check', 'rules', 'prometheus/rules/lossband.rules.yml']);
    expect(out).toContain('7 rules found');
  });

  it('promtool check metrics finds no lint problem in a real /metrics payload', async () => {
    const registry = new Registry();
    const metrics = new LossbandMetrics(registry, { run: 'lint' });
    registerProcessMetrics(registry);
    metrics.setInfo({
      model_name: 'mlp',
      architecture: '4-16-3',
      parameters: 131,
      dataset: 'iris',
      backend: 'cpu',
      controller: 'pid',
    });
    metrics.setSigmaLimits(0, 2);
    metrics.observePhase('data_load', 0.1);
    metrics.recordEpoch(makeEvent({ cleanLoss: 0.3 }));
    const server = await startRunServer({
      registry,
      mode: 'main',
      ephemeral: true,
      portExplicit: true,
      log: pino({ enabled: false }),
    });
    try {
      const payload = await (await fetch(`${server?.url}/metrics`)).text();
      const out = await expectSuccess(paths.promtool, ['check', 'metrics'], payload);
      expect(out.trim()).toBe('');
    } finally {
      await server?.close();
    }
  });

  it('amtool check-config accepts alertmanager.yml as shipped', async () => {
    await expectSuccess(paths.amtool, ['check-config', 'alertmanager/alertmanager.yml']);
  });

  it('entrypoint.sh renders LOSSBAND_WEBHOOK_URL into a config amtool accepts', async () => {
    const url = 'https://hooks.example.com/lossband?team=ml&x=a|b';
    const out = await expectSuccess('sh', ['alertmanager/entrypoint.sh', '--version'], undefined, {
      LOSSBAND_WEBHOOK_URL: url,
      ALERTMANAGER_CONFIG: 'alertmanager/alertmanager.yml',
      ALERTMANAGER_BIN: paths.alertmanager,
      ALERTMANAGER_RENDER_DIR: tmp,
    });
    expect(out).toMatch(/version/i);
    const rendered = join(tmp, 'alertmanager.rendered.yml');
    await expectSuccess(paths.amtool, ['check-config', rendered]);
    const text = (await run('cat', [rendered])).output;
    expect(text).toContain(`url: '${url}'`);
    expect(text).not.toContain('http://webhook-log:9095/alerts');
  });

  it('entrypoint.sh refuses a URL that is not http(s), naming it', async () => {
    const result = await run('sh', ['alertmanager/entrypoint.sh'], undefined, {
      cwd: ROOT,
      env: { ...process.env, LOSSBAND_WEBHOOK_URL: 'ftp://x', ALERTMANAGER_BIN: '/bin/false' },
    });
    expect(result.code).toBe(2);
    expect(result.output).toContain('ftp://x');
  });

  it('docker-compose config -q accepts docker-compose.yml', async () => {
    await expectSuccess(paths.dockerCompose, ['config', '-q']);
  });
});
