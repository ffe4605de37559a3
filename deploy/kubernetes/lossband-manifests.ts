import { Job } from 'kubernetes-models/batch/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, PersistentVolumeClaim } from 'kubernetes-models/v1';
import type { LoadedSweep } from '../../src/sweep/sweep-file.js';
import { k8sName, type ManifestOptions } from './manifest-options.js';

/** Where the pod finds the sweep file (the ConfigMap's mount) and the run directories (the claim's). */
export const SWEEP_PATH = '/config/sweep.yaml';
export const RUNS_ROOT = '/runs';
/** Name of the run-directory claim, shared by every sweep in the namespace. */
export const RUNS_CLAIM = 'lossband-runs';
/** Labels and annotation the Prometheus scrape job keeps pods by. */
export const APP_LABEL = { 'app.kubernetes.io/name': 'lossband' } as const;
export const SCRAPE_ANNOTATION = { 'lossband.io/scrape': 'true' } as const;
export const METRICS_PORT_NAME = 'metrics';
/** The UID/GID of the `node` user in the image (see the Dockerfile's `USER node`). */
const NODE_UID = 1000;

/** The generated objects, grouped by the file each is written to. */
export type ManifestFiles = ReadonlyArray<{
  readonly file: string;
  readonly objects: ReadonlyArray<ConfigMap | PersistentVolumeClaim | Job | Role | RoleBinding>;
}>;

/**
 * The argument list of a sweep pod: `lossband sweep FILE --index I --out DIR --host H --port P`.
 * Kubernetes expands `$(JOB_COMPLETION_INDEX)` from the container's environment, so pod I runs
 * point I of the sweep. `--host 0.0.0.0` because Prometheus scrapes the pod's IP, not loopback.
 */
export function sweepArgs(sweep: LoadedSweep, port: number): string[] {
  return [
    'sweep',
    SWEEP_PATH,
    '--index',
    '$(JOB_COMPLETION_INDEX)',
    '--out',
    `${RUNS_ROOT}/${sweep.name}`,
    '--host',
    '0.0.0.0',
    '--port',
    String(port),
  ];
}

/**
 * Builds the Kubernetes objects that run every point of a sweep as one Indexed Job: the sweep
 * file in a ConfigMap, a ReadWriteMany claim for the run directories, the Job itself (one
 * completion per point, each pod selecting its point by `JOB_COMPLETION_INDEX`), and the
 * Role that lets Prometheus discover the pods.
 *
 * @example
 * const files = buildManifests(loadSweepFile('examples/sweep.yaml'), 8, options);
 */
export function buildManifests(sweep: LoadedSweep, points: number, options: ManifestOptions): ManifestFiles {
  const name = `lossband-${k8sName(sweep.name)}`;
  const namespace = options.namespace;
  const labels = {
    ...APP_LABEL,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/component': 'sweep',
    'lossband.io/sweep': sweep.name,
  };
  const configMap = new ConfigMap({
    metadata: { name: `${name}-sweep`, namespace, labels },
    data: { 'sweep.yaml': sweep.text },
  });
  const claim = new PersistentVolumeClaim({
    metadata: { name: RUNS_CLAIM, namespace, labels: { ...APP_LABEL, 'app.kubernetes.io/component': 'runs' } },
    spec: {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: options.storage } },
      ...(options.storageClass ? { storageClassName: options.storageClass } : {}),
    },
  });
  const job = new Job({
    metadata: { name, namespace, labels },
    spec: {
      completionMode: 'Indexed',
      completions: points,
      parallelism: Math.min(options.parallelism, points),
      // Per index, so one failing point never stops the others (Kubernetes >= 1.29).
      backoffLimitPerIndex: options.retries,
      template: {
        metadata: { labels, annotations: { ...SCRAPE_ANNOTATION } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: NODE_UID,
            runAsGroup: NODE_UID,
            fsGroup: NODE_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'lossband',
              image: options.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['node', '/app/bin/lossband.js'],
              args: sweepArgs(sweep, options.port),
              env: [
                // The Job controller injects this too; declaring it makes `$(…)` in args explicit.
                {
                  name: 'JOB_COMPLETION_INDEX',
                  valueFrom: {
                    fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
                  },
                },
                { name: 'LOSSBAND_TOKEN', valueFrom: { secretKeyRef: { name: options.tokenSecret, key: 'token' } } },
              ],
              ports: [{ name: METRICS_PORT_NAME, containerPort: options.port, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/healthz', port: METRICS_PORT_NAME }, periodSeconds: 10 },
              resources: {
                requests: { cpu: options.cpu, memory: options.memory },
                limits: { memory: options.memoryLimit },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'sweep', mountPath: SWEEP_PATH.slice(0, SWEEP_PATH.lastIndexOf('/')), readOnly: true },
                { name: 'runs', mountPath: RUNS_ROOT },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            {
              name: 'sweep',
              configMap: {
                name: configMap.metadata?.name as string,
                items: [{ key: 'sweep.yaml', path: 'sweep.yaml' }],
              },
            },
            { name: 'runs', persistentVolumeClaim: { claimName: RUNS_CLAIM } },
            { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
          ],
        },
      },
    },
  });
  const [saNamespace, saName] = options.prometheusServiceAccount.split('/') as [string, string];
  const role = new Role({
    metadata: { name: 'lossband-pod-discovery', namespace, labels: { ...APP_LABEL } },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
  });
  const binding = new RoleBinding({
    metadata: { name: 'lossband-pod-discovery', namespace, labels: { ...APP_LABEL } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'lossband-pod-discovery' },
    subjects: [{ kind: 'ServiceAccount', name: saName, namespace: saNamespace }],
  });
  return [
    { file: 'sweep-configmap.yaml', objects: [configMap] },
    { file: 'runs-pvc.yaml', objects: [claim] },
    { file: 'sweep-job.yaml', objects: [job] },
    { file: 'prometheus-rbac.yaml', objects: [role, binding] },
  ];
}
