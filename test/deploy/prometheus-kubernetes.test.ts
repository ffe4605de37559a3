import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { GENERATED_DIR, SCRAPE_CONFIG_FILE, generateManifests } from '../../deploy/kubernetes/build-manifests.js';
import { IN_CI, locate } from '../integration/support/binaries.js';
import { freePort } from '../integration/support/free-port.js';
import { run, start, stopAll } from '../integration/support/processes.js';
import { waitFor } from '../integration/support/wait-for.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CONFIG = join(GENERATED_DIR, SCRAPE_CONFIG_FILE);
const { paths, missing } = locate(['promtool', 'prometheus']);
const tmp = mkdtempSync(join(tmpdir(), 'lossband-k8s-prom-'));
afterAll(async () => {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

/** The message of a promtool that was built without Kubernetes discovery, as Debian's is. */
const NO_KUBERNETES_SD = 'field kubernetes_sd_configs not found in type config.ScrapeConfig';

/**
 * The committed config with its `kubernetes_sd_configs` swapped for a file of targets, so a
 * promtool and Prometheus without Kubernetes discovery still check and apply everything else.
 */
function withFileDiscovery(targetsFile: string): string {
  const config = parseYaml(readFileSync(CONFIG, 'utf8')) as Json;
  const job = config.scrape_configs[0];
  delete job.kubernetes_sd_configs;
  job.file_sd_configs = [{ files: [targetsFile], refresh_interval: '1s' }];
  return stringify(config);
}

/** Prometheus's meta label name for a Kubernetes label or annotation (its documented rule). */
const meta = (kind: string, name: string): string =>
  `__meta_kubernetes_pod_${kind}_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;

/** The target Kubernetes pod discovery makes of one container port of a pod of the generated Job. */
function podTarget(
  index: number,
  port: number,
  change: { phase?: string; labels?: Json; annotations?: Json; portName?: string } = {},
): Json {
  const job = generateManifests()
    .manifests.find((m) => m.file === 'sweep-job.yaml')
    ?.objects[0]?.toJSON() as Json;
  const template = job.spec.template;
  const labels: Json = {
    ...template.metadata.labels,
    'batch.kubernetes.io/job-completion-index': String(index),
    ...change.labels,
  };
  const annotations: Json = {
    ...template.metadata.annotations,
    'batch.kubernetes.io/job-completion-index': String(index),
    ...change.annotations,
  };
  const containerPort = template.spec.containers[0].ports[0];
  const discovered: Json = {
    __meta_kubernetes_namespace: job.metadata.namespace,
    __meta_kubernetes_pod_name: `${job.metadata.name}-${index}-x7k2p`,
    __meta_kubernetes_pod_phase: change.phase ?? 'Running',
    __meta_kubernetes_pod_controller_kind: 'Job',
    __meta_kubernetes_pod_controller_name: job.metadata.name,
    __meta_kubernetes_pod_container_name: template.spec.containers[0].name,
    __meta_kubernetes_pod_container_port_name: change.portName ?? containerPort.name,
    __meta_kubernetes_pod_container_port_number: String(containerPort.containerPort),
  };
  for (const [k, v] of Object.entries(labels)) if (v !== undefined) discovered[meta('label', k)] = v;
  for (const [k, v] of Object.entries(annotations)) if (v !== undefined) discovered[meta('annotation', k)] = v;
  return { targets: [`127.0.0.1:${port}`], labels: discovered };
}

describe('prometheus-kubernetes.yml tools', () => {
  it.runIf(IN_CI)('are installed in CI', () => {
    expect(missing).toBeUndefined();
  });
});

describe.skipIf(missing !== undefined)('prometheus-kubernetes.yml checked by the real tools', () => {
  it('promtool check config accepts it (or, for a promtool without Kubernetes discovery, objects to nothing else)', async () => {
    const result = await run(paths.promtool, ['check', 'config', CONFIG]);
    if (result.code === 0) {
      expect(result.output).toContain('SUCCESS');
      return;
    }
    // Debian builds Prometheus without Kubernetes discovery. Its YAML decoder lists every
    // unknown field, so the only complaint being this one field means the rest decoded.
    console.warn(
      `[deploy] ${paths.promtool} has no kubernetes_sd_configs (Debian build); the rest is checked with file discovery below`,
    );
    const complaints = result.output.split('\n').filter((l) => /not found in type|cannot unmarshal|error/i.test(l));
    expect(complaints.join('\n'), result.output).toContain(NO_KUBERNETES_SD);
    expect(
      complaints.filter((l) => !l.includes('parsing YAML file') && !l.includes(NO_KUBERNETES_SD)),
      result.output,
    ).toEqual([]);
  });

  it('promtool check config accepts everything else (discovery swapped for file_sd_configs)', async () => {
    writeFileSync(join(tmp, 'check.yml'), withFileDiscovery('targets.json'));
    writeFileSync(join(tmp, 'targets.json'), '[]');
    const result = await run(paths.promtool, ['check', 'config', join(tmp, 'check.yml')]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('a real Prometheus keeps only Running lossband pods on the metrics port and labels them by pod, namespace and index', async () => {
    const closed = await freePort();
    const targets = {
      kept: podTarget(3, closed),
      succeeded: podTarget(4, closed + 1, { phase: 'Succeeded' }),
      pending: podTarget(5, closed + 2, { phase: 'Pending' }),
      unannotated: podTarget(6, closed + 3, { annotations: { 'lossband.io/scrape': undefined } }),
      otherApp: podTarget(7, closed + 4, { labels: { 'app.kubernetes.io/name': 'other' } }),
      otherPort: podTarget(2, closed + 5, { portName: 'http' }),
    };
    writeFileSync(join(tmp, 'pods.json'), JSON.stringify(Object.values(targets)));
    writeFileSync(join(tmp, 'prometheus.yml'), withFileDiscovery(join(tmp, 'pods.json')));
    const port = await freePort();
    const prom = start(
      'prometheus',
      paths.prometheus,
      [
        `--config.file=${join(tmp, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(tmp, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { cwd: tmp },
    );
    const data = await waitFor(
      'Prometheus to discover the pods',
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/targets`);
        const body = (await res.json()) as { data: { activeTargets: Json[]; droppedTargets: Json[] } };
        const seen = body.data.activeTargets.length + body.data.droppedTargets.length;
        return seen === Object.keys(targets).length ? body.data : undefined;
      },
      { context: prom.output },
    );
    expect(data.activeTargets).toHaveLength(1);
    expect(data.activeTargets[0]?.labels).toEqual({
      job: 'lossband',
      instance: 'lossband-iris-bands-3-x7k2p',
      pod: 'lossband-iris-bands-3-x7k2p',
      namespace: 'default',
      kubernetes_job: 'lossband-iris-bands',
      job_index: '3',
      sweep: 'iris-bands',
    });
    expect(data.activeTargets[0]?.scrapeUrl).toBe(`http://127.0.0.1:${closed}/metrics`);
    const dropped = data.droppedTargets.map((t) => t.discoveredLabels.__address__).sort();
    expect(dropped).toEqual(
      [targets.succeeded, targets.pending, targets.unannotated, targets.otherApp, targets.otherPort]
        .map((t) => t.targets[0])
        .sort(),
    );
  });
});
