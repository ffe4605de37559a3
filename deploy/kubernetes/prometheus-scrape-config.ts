import { APP_LABEL, METRICS_PORT_NAME, SCRAPE_ANNOTATION } from './lossband-manifests.js';
import type { ManifestOptions } from './manifest-options.js';

/** One `relabel_configs` entry (the subset used here). */
export interface RelabelRule {
  readonly source_labels: readonly string[];
  readonly action: 'keep' | 'replace';
  readonly regex?: string;
  readonly target_label?: string;
}

/** The Prometheus meta label of a Kubernetes pod label or annotation name. */
export function podMetaLabel(kind: 'label' | 'annotation', name: string): string {
  return `__meta_kubernetes_pod_${kind}_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

const keep = (source: string, regex: string): RelabelRule => ({ source_labels: [source], regex, action: 'keep' });
const copy = (source: string, target: string): RelabelRule => ({
  source_labels: [source],
  target_label: target,
  action: 'replace',
});

/**
 * The relabelling of the `lossband` scrape job: keep only Running pods that carry the
 * lossband label, the scrape annotation and a container port named `metrics`, then give each
 * target readable labels (namespace, pod, the Job and the completion index, i.e. the sweep
 * point). `instance` becomes the pod name, which is stable for a pod's life, unlike its IP.
 */
export function relabelRules(): RelabelRule[] {
  const [[labelName, labelValue]] = Object.entries(APP_LABEL) as [[string, string]];
  const [[annotationName, annotationValue]] = Object.entries(SCRAPE_ANNOTATION) as [[string, string]];
  return [
    keep('__meta_kubernetes_pod_phase', 'Running'),
    keep(podMetaLabel('label', labelName), labelValue),
    keep(podMetaLabel('annotation', annotationName), annotationValue),
    keep('__meta_kubernetes_pod_container_port_name', METRICS_PORT_NAME),
    copy('__meta_kubernetes_namespace', 'namespace'),
    copy('__meta_kubernetes_pod_name', 'pod'),
    copy('__meta_kubernetes_pod_name', 'instance'),
    copy('__meta_kubernetes_pod_controller_name', 'kubernetes_job'),
    copy(podMetaLabel('annotation', 'batch.kubernetes.io/job-completion-index'), 'job_index'),
    copy(podMetaLabel('label', 'lossband.io/sweep'), 'sweep'),
  ];
}

/**
 * A complete Prometheus configuration whose `lossband` job discovers the sweep's pods with
 * `kubernetes_sd_configs` (role `pod`), so `promtool check config` can check it as it is. To
 * use it in a cluster, copy the scrape job into the cluster Prometheus's configuration; its
 * service account needs the generated `lossband-pod-discovery` Role.
 *
 * @example
 * const config = buildScrapeConfig(options);
 */
export function buildScrapeConfig(options: ManifestOptions): Record<string, unknown> {
  const [[labelName, labelValue]] = Object.entries(APP_LABEL) as [[string, string]];
  return {
    global: { scrape_interval: '15s', scrape_timeout: '10s', evaluation_interval: '15s' },
    scrape_configs: [
      {
        job_name: 'lossband',
        scrape_interval: '5s',
        scrape_timeout: '4s',
        metrics_path: '/metrics',
        kubernetes_sd_configs: [
          {
            role: 'pod',
            namespaces: { names: [options.namespace] },
            // Server-side filters keep the watch small; the relabel rules below still decide.
            selectors: [{ role: 'pod', label: `${labelName}=${labelValue}`, field: 'status.phase=Running' }],
          },
        ],
        relabel_configs: relabelRules(),
      },
    ],
  };
}
