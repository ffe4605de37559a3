import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, PersistentVolumeClaim } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { GENERATED_DIR, ROOT, generateManifests } from '../../deploy/kubernetes/build-manifests.js';
import { expandSweep } from '../../src/sweep/expand-sweep.js';
import { loadSweepFile } from '../../src/sweep/load-sweep-file.js';
import { parseSweep } from '../../src/sweep/parse-sweep.js';
import { run } from '../integration/support/processes.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  ConfigMap,
  PersistentVolumeClaim,
  Job,
  Role,
  RoleBinding,
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** The committed manifests, parsed back from the YAML on disk (not from the generator's objects). */
function committedObjects(): Json[] {
  return filesUnder(GENERATED_DIR)
    .filter((f) => !f.includes('/prometheus/'))
    .flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as Json));
}

const generated = generateManifests();
const objects = committedObjects();
const byKind = (kind: string): Json => {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} in ${GENERATED_DIR}`);
  return found;
};
const job = byKind('Job');
const pod = job.spec.template;
const container = pod.spec.containers[0];

describe('deploy/kubernetes/generated', () => {
  it('is up to date with deploy/kubernetes/build-manifests.ts (run `npm run manifests`)', () => {
    const onDisk = filesUnder(GENERATED_DIR)
      .map((f) => relative(GENERATED_DIR, f))
      .sort();
    expect(onDisk).toEqual([...generated.files.keys()].sort());
    for (const [file, text] of generated.files)
      expect(readFileSync(join(GENERATED_DIR, file), 'utf8'), file).toBe(text);
  });

  it('renders byte-identically twice', () => {
    expect([...generateManifests().files]).toEqual([...generated.files]);
  });

  it('passes the kubernetes-models schema validation, as generated and as committed', () => {
    const built = generated.manifests.flatMap((m) => m.objects);
    expect(built.map((o) => (o.toJSON() as Json).kind).sort()).toEqual([
      'ConfigMap',
      'Job',
      'PersistentVolumeClaim',
      'Role',
      'RoleBinding',
    ]);
    for (const object of built) expect(() => object.validate()).not.toThrow();
    expect(objects).toHaveLength(5);
    for (const object of objects) {
      const Model = MODELS[object.kind as string];
      expect(Model, object.kind).toBeDefined();
      const { apiVersion: _a, kind: _k, ...data } = object;
      expect(() => new (Model as NonNullable<typeof Model>)(data as never).validate(), object.kind).not.toThrow();
    }
  });

  it('validation bites: planted mistakes in the Job are rejected', () => {
    const { apiVersion: _a, kind: _k, ...data } = job;
    const plant =
      (mutate: (j: Json) => void): (() => void) =>
      () => {
        const copy = structuredClone(data);
        mutate(copy);
        new Job(copy as never).validate();
      };
    expect(plant(() => undefined)).not.toThrow();
    expect(plant((j) => (j.spec.completions = 'eight'))).toThrow();
    expect(plant((j) => delete j.spec.template.spec.containers)).toThrow();
    expect(plant((j) => delete j.spec.template.spec.containers[0].name)).toThrow();
    expect(plant((j) => (j.spec.template.spec.containers[0].ports[0].containerPort = '9464'))).toThrow();
    expect(plant((j) => (j.spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef = { name: 'x' }))).toThrow();
    expect(plant((j) => (j.spec.template.spec.volumes[1].persistentVolumeClaim = {}))).toThrow();
    expect(plant((j) => (j.spec.template.spec.securityContext.runAsNonRoot = 'yes'))).toThrow();
  });

  it('names every object with a valid DNS-1123 name and valid label values', () => {
    for (const object of objects) {
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      for (const value of Object.values(object.metadata.labels ?? {}))
        expect(value).toMatch(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/);
    }
    const odd = generateManifests({ sweep: 'test/deploy/fixtures/odd-name.yaml' });
    for (const { objects: list } of odd.manifests) {
      for (const object of list)
        expect((object.toJSON() as Json).metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    }
    expect((odd.manifests.find((m) => m.file === 'sweep-job.yaml')?.objects[0]?.toJSON() as Json).metadata.name).toBe(
      'lossband-odd-sweep-v2',
    );
  });
});

describe('the sweep Job', () => {
  const points = expandSweep(loadSweepFile('examples/sweep.yaml'));

  it('is an Indexed Job with one completion per point of examples/sweep.yaml', () => {
    expect(points).toHaveLength(8);
    expect(job.spec).toMatchObject({
      completionMode: 'Indexed',
      completions: points.length,
      parallelism: 4,
      backoffLimitPerIndex: 1,
    });
    expect(job.spec.maxFailedIndexes).toBeUndefined();
    expect(pod.spec.restartPolicy).toBe('Never');
  });

  it('runs `lossband sweep` on the shipped file with the exact flags, point = JOB_COMPLETION_INDEX', () => {
    expect(container.command).toEqual(['node', '/app/bin/lossband.js']);
    expect(container.args).toEqual([
      'sweep',
      '/config/sweep.yaml',
      '--index',
      '$(JOB_COMPLETION_INDEX)',
      '--out',
      '/runs/iris-bands',
      '--host',
      '0.0.0.0',
      '--port',
      '9464',
    ]);
    expect(container.env[0]).toEqual({
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    });
    expect(container.env[1]).toEqual({
      name: 'LOSSBAND_TOKEN',
      valueFrom: { secretKeyRef: { name: 'lossband-token', key: 'token' } },
    });
  });

  it('ships the sweep file verbatim, so each pod expands the same points as a local sweep', () => {
    const configMap = byKind('ConfigMap');
    const text = readFileSync('examples/sweep.yaml', 'utf8');
    expect(configMap.data['sweep.yaml']).toBe(text);
    const mount = container.volumeMounts.find((m: Json) => m.name === 'sweep');
    const volume = pod.spec.volumes.find((v: Json) => v.name === 'sweep');
    expect(volume.configMap.name).toBe(configMap.metadata.name);
    expect(`${mount.mountPath}/${volume.configMap.items[0].path}`).toBe(container.args[1]);
    expect(volume.configMap.items[0].key).toBe('sweep.yaml');
    expect(expandSweep(parseSweep(configMap.data['sweep.yaml'], container.args[1]))).toEqual(points);
  });

  it('writes run directories to a ReadWriteMany claim under /runs/<sweep>', () => {
    const claim = byKind('PersistentVolumeClaim');
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    const volume = pod.spec.volumes.find((v: Json) => v.name === 'runs');
    expect(volume.persistentVolumeClaim.claimName).toBe(claim.metadata.name);
    const mount = container.volumeMounts.find((m: Json) => m.name === 'runs');
    expect(container.args[5].startsWith(`${mount.mountPath}/`)).toBe(true);
    expect(mount.readOnly).toBeUndefined();
  });

  it('is labelled, annotated and exposes the port Prometheus keeps', () => {
    expect(pod.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'lossband',
      'lossband.io/sweep': 'iris-bands',
    });
    expect(pod.metadata.annotations).toEqual({ 'lossband.io/scrape': 'true' });
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
    expect(container.args[container.args.indexOf('--port') + 1]).toBe(String(container.ports[0].containerPort));
  });

  it('runs as non-root on a read-only root file system, writing only to its volumes', () => {
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const writable = container.volumeMounts
      .filter((m: Json) => !m.readOnly)
      .map((m: Json) => m.mountPath)
      .sort();
    expect(writable).toEqual(['/runs', '/tmp']);
    expect(container.resources.requests).toEqual({ cpu: '1', memory: '512Mi' });
    expect(pod.spec.automountServiceAccountToken).toBe(false);
  });

  it('lets the Prometheus service account discover pods, and nothing more', () => {
    expect(byKind('Role').rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    expect(byKind('RoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' },
    ]);
  });
});

describe('generateManifests options', () => {
  it('caps parallelism at the number of points and applies the options', () => {
    const g = generateManifests({
      parallelism: 50,
      namespace: 'ml',
      image: 'registry.example/lossband:0.1.0',
      storageClass: 'nfs',
      retries: 0,
    });
    const j = g.manifests.find((m) => m.file === 'sweep-job.yaml')?.objects[0]?.toJSON() as Json;
    expect(j.spec.parallelism).toBe(8);
    expect(j.spec.backoffLimitPerIndex).toBe(0);
    expect(j.metadata.namespace).toBe('ml');
    expect(j.spec.template.spec.containers[0].image).toBe('registry.example/lossband:0.1.0');
    expect(
      (g.manifests.find((m) => m.file === 'runs-pvc.yaml')?.objects[0]?.toJSON() as Json).spec.storageClassName,
    ).toBe('nfs');
    expect(g.files.get('sweep-job.yaml')).toMatch(
      /^# Generated by `npm run manifests -- --sweep examples\/sweep\.yaml --namespace ml --image registry\.example\/lossband:0\.1\.0 --parallelism 50 --retries 0 --storage-class nfs`/,
    );
  });

  it('names the flag of a bad option in one line', () => {
    expect(() => generateManifests({ parallelism: 0 })).toThrow(/^--parallelism: Too small/);
    expect(() => generateManifests({ parallelism: 'many' })).toThrow(/^--parallelism: /);
    expect(() => generateManifests({ namespace: 'My_NS' })).toThrow(/^--namespace: a DNS label/);
    expect(() => generateManifests({ memory: '1 GB' })).toThrow(/^--memory: a Kubernetes quantity/);
    expect(() => generateManifests({ prometheusServiceAccount: 'prometheus' })).toThrow(
      /^--prometheus-sa: namespace\/name/,
    );
  });

  it('names file:line:column of a bad sweep file', () => {
    expect(() => generateManifests({ sweep: 'test/deploy/fixtures/bad-sweep.yaml' })).toThrow(
      /^test\/deploy\/fixtures\/bad-sweep\.yaml:4:29: point 1 \(bad-1-learningRate0\): model\.learningRate: Too small/,
    );
  });
});

describe('npm run manifests', () => {
  const script = ['node_modules/.bin/tsx', 'deploy/kubernetes/build-manifests.ts'];

  it('writes the files generateManifests renders for the same flags', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lossband-manifests-'));
    try {
      const args = [
        '--sweep',
        'test/deploy/fixtures/odd-name.yaml',
        '--parallelism',
        '2',
        '--memory-limit',
        '2Gi',
        '--out',
        out,
      ];
      const result = await run(script[0] as string, [script[1] as string, ...args], undefined, { cwd: ROOT });
      expect(result.code, result.output).toBe(0);
      expect(result.output).toContain('sweep Odd_Sweep.V2, 3 points');
      const expected = generateManifests({
        sweep: 'test/deploy/fixtures/odd-name.yaml',
        parallelism: '2',
        memoryLimit: '2Gi',
      }).files;
      expect(
        filesUnder(out)
          .map((f) => relative(out, f))
          .sort(),
      ).toEqual([...expected.keys()].sort());
      for (const [file, text] of expected) expect(readFileSync(join(out, file), 'utf8'), file).toBe(text);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('exits 2 with one line naming a bad flag', async () => {
    const bad = await run(
      script[0] as string,
      [script[1] as string, '--parallelism', '0', '--out', '/nonexistent/never'],
      undefined,
      { cwd: ROOT },
    );
    expect(bad.code).toBe(2);
    expect(bad.output.trim()).toBe('npm run manifests: --parallelism: Too small: expected number to be >=1');
  });
});
