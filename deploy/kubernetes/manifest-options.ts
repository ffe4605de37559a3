import { z } from 'zod';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/;
const dnsLabel = z.string().regex(DNS_LABEL, 'a DNS label: lower-case letters, digits and "-", at most 63');
const quantity = z.string().regex(QUANTITY, 'a Kubernetes quantity such as 500m, 512Mi or 2Gi');

/** Everything the generated manifests can vary, validated once at the edge. */
export const manifestOptionsSchema = z.strictObject({
  /** Sweep file shipped in the ConfigMap and expanded to count the Job's completions. Defaults to `examples/sweep.yaml`. */
  sweep: z.string().min(1).default('examples/sweep.yaml'),
  /** Namespace of every object, and the one Prometheus watches. Defaults to `default`. */
  namespace: dnsLabel.default('default'),
  /** The lossband image (built from the repo's Dockerfile). Defaults to `lossband:local`. */
  image: z.string().min(1).regex(/^\S+$/, 'an image reference without spaces').default('lossband:local'),
  /** Pods running at once; capped at the number of points. Defaults to 4. */
  parallelism: z.coerce.number().int().min(1).max(10_000).default(4),
  /** Retries of a failed point before that index counts as failed. Defaults to 1. */
  retries: z.coerce.number().int().min(0).max(10).default(1),
  /** CPU each pod requests. Defaults to `1` (one run is one busy thread). */
  cpu: quantity.default('1'),
  /** Memory each pod requests. Defaults to `512Mi`. */
  memory: quantity.default('512Mi'),
  /** Memory limit of each pod. Defaults to `1Gi`. */
  memoryLimit: quantity.default('1Gi'),
  /** Size of the run-directory volume. Defaults to `1Gi`. */
  storage: quantity.default('1Gi'),
  /** Storage class of the ReadWriteMany claim; unset = the cluster's default. */
  storageClass: dnsLabel.optional(),
  /** Secret holding the control API token under key `token`. Defaults to `lossband-token`. */
  tokenSecret: dnsLabel.default('lossband-token'),
  /** `namespace/name` of Prometheus's service account, granted pod discovery. Defaults to `monitoring/prometheus`. */
  prometheusServiceAccount: z
    .string()
    .regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'namespace/name')
    .default('monitoring/prometheus'),
  /** Port of the metrics and API server in each pod. Defaults to 9464. */
  port: z.coerce.number().int().min(1).max(65535).default(9464),
});

/** The options as the builder sees them, every default applied. */
export type ManifestOptions = z.output<typeof manifestOptionsSchema>;

/** The options as a caller may give them: every field optional. */
export type ManifestOptionsInput = z.input<typeof manifestOptionsSchema>;

/**
 * A Kubernetes object name derived from a sweep name: lower case, `.` and `_` become `-`.
 *
 * @example
 * k8sName('Iris_Bands.v2'); // 'iris-bands-v2'
 */
export function k8sName(sweepName: string): string {
  return sweepName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}
