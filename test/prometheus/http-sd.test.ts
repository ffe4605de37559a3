/**
 * The shipped prometheus-http-sd.yml and the TrainerDown rule against a real Prometheus: three
 * stand-in trainers (real LossbandMetrics registries on loopback) are listed by a discovery
 * endpoint in the `/api/sd` format, with each rule's `for:` cut to 3 s.
 *
 * - "crashed": running, then its /metrics fails: LossbandTrainerDown fires;
 * - "finished": its last scrape says finished, then /metrics fails: never pending or firing;
 * - "dropped": running, dropped from discovery, then /metrics fails: its `up` goes away and it
 *   never alerts.
 *
 * "finished" goes down at the same moment as "crashed", so when "crashed" fires, "finished" has
 * been through the same rule evaluations; every wait polls Prometheus against a deadline.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LossbandMetrics } from '../../src/metrics/lossband-metrics.js';
import type { RunState } from '../../src/core/run-state.js';
import { IN_CI, locate } from '../integration/support/binaries.js';
import { freePort } from '../integration/support/free-port.js';
import { stopAll, type Tracked } from '../integration/support/processes.js';
import {
  httpSdConfig,
  promQuery,
  rulesWithFor,
  startPrometheus,
  type Sample,
} from '../integration/support/prometheus.js';
import { waitFor } from '../integration/support/wait-for.js';

const { paths, missing } = locate(['prometheus']);

/** A stand-in trainer: one run's real metrics, and a switch that makes /metrics fail. */
interface StandIn {
  readonly name: string;
  address: string;
  answering: boolean;
  readonly metrics: LossbandMetrics;
  readonly registry: Registry;
  server?: Server;
}

function standIn(name: string, state: RunState): StandIn {
  const registry = new Registry();
  const metrics = new LossbandMetrics(registry, { run: `run-${name}` });
  metrics.setState(state);
  return { name, address: '', answering: true, metrics, registry };
}

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; address: string }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

const trainers = [standIn('crashed', 'running'), standIn('finished', 'finished'), standIn('dropped', 'running')];
const listed = new Set(trainers.map((t) => t.name));
let sd: Server | undefined;
let tmp = '';
let promUrl = '';
let prometheus: Tracked | undefined;

const query = (expr: string): Promise<Sample[]> => promQuery(promUrl, expr);

const byTrainer = async (expr: string): Promise<Record<string, string>> =>
  Object.fromEntries((await query(expr)).map((r) => [r.metric.trainer ?? '?', r.value[1]]));

/** The shipped http_sd config, pointed at loopback and sped up; its rules with `for:` cut to 3 s. */
function configs(sdUrl: string, promPort: number): void {
  writeFileSync(join(tmp, 'prometheus.yml'), httpSdConfig(sdUrl, join(tmp, 'rules', '*.rules.yml')));
  writeFileSync(join(tmp, 'rules', 'lossband.rules.yml'), rulesWithFor('3s'));
  promUrl = `http://127.0.0.1:${promPort}`;
}

describe('http_sd prerequisites', () => {
  it.runIf(IN_CI)('has prometheus in CI', () => expect(missing).toBeUndefined());
});

describe.skipIf(missing !== undefined)('prometheus-http-sd.yml and LossbandTrainerDown on a real Prometheus', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lossband-http-sd-'));
    mkdirSync(join(tmp, 'rules'));
    for (const t of trainers) {
      const { server, address } = await listen((_req, res) => {
        if (!t.answering) return void res.writeHead(503).end('down');
        void t.registry
          .metrics()
          .then((text) => res.writeHead(200, { 'Content-Type': t.registry.contentType }).end(text));
      });
      Object.assign(t, { server, address });
    }
    const discovery = await listen((req, res) => {
      if (req.url !== '/api/sd') return void res.writeHead(404).end();
      const body = trainers
        .filter((t) => listed.has(t.name))
        .map((t) => ({ targets: [t.address], labels: { trainer: t.name } }));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
    sd = discovery.server;
    const promPort = await freePort();
    configs(`http://${discovery.address}/api/sd`, promPort);
    prometheus = startPrometheus(paths.prometheus, tmp, promPort);
    await waitFor('Prometheus to be ready', async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), {
      context: () => prometheus?.output() ?? '',
    });
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    for (const server of [sd, ...trainers.map((t) => t.server)]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  it('discovers every target, and fires LossbandTrainerDown only for the one that crashed while running', async () => {
    const context = (): string => prometheus?.output().slice(-3000) ?? '';
    await waitFor(
      'all three discovered targets up, and which should be up recorded',
      async () => {
        const up = await byTrainer('up{job="lossband"}');
        const should = await query('lossband:target_should_be_up');
        return Object.values(up).filter((v) => v === '1').length === 3 && should.length === 3 ? true : undefined;
      },
      { timeoutMs: 60_000, context },
    );
    // The recording rule keeps only job and instance; map instances back to trainers.
    const instance = (name: string): string => trainers.find((t) => t.name === name)?.address ?? '';
    const should = Object.fromEntries(
      (await query('lossband:target_should_be_up')).map((r) => [r.metric.instance, r.value[1]]),
    );
    expect(should).toEqual({ [instance('crashed')]: '1', [instance('finished')]: '0', [instance('dropped')]: '1' });

    // "dropped" leaves discovery while it still answers: Prometheus drops the target, and `up` with it.
    listed.delete('dropped');
    await waitFor(
      'the dropped target to vanish',
      async () => ((await query('up{trainer="dropped"}')).length === 0 ? true : undefined),
      { timeoutMs: 60_000, context },
    );
    const dropped = trainers.find((t) => t.name === 'dropped');
    if (dropped) dropped.answering = false;

    for (const t of trainers.filter((x) => x.name !== 'dropped')) t.answering = false;
    await waitFor(
      'LossbandTrainerDown firing for the crashed target',
      async () => {
        const firing = await byTrainer('ALERTS{alertname="LossbandTrainerDown", alertstate="firing"}');
        return firing.crashed === '1' ? true : undefined;
      },
      { timeoutMs: 60_000, context },
    );

    const everAlerted = await byTrainer(
      'count by (trainer) (count_over_time(ALERTS{alertname="LossbandTrainerDown"}[10m]))',
    );
    expect(Object.keys(everAlerted)).toEqual(['crashed']);
    // "finished" has been down exactly as long as "crashed" and was evaluated as often.
    expect(await byTrainer('up{trainer=~"crashed|finished"}')).toEqual({ crashed: '0', finished: '0' });
    expect(await query('up{trainer="dropped"}')).toEqual([]);
  }, 120_000);
});
