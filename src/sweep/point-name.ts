import { RUN_NAME_PATTERN } from '../config/schema.js';

const MAX_NAME = 64;

function clean(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
}

function scalar(value: unknown): string {
  return Array.isArray(value)
    ? value.map(scalar).join('x')
    : typeof value === 'object' && value !== null
      ? 'obj'
      : String(value);
}

/** One parameter as a name fragment: `pid`, `seed2`, `hidden16x8`, `lo0.3-hi0.4`. */
function fragment(key: string, value: unknown): string {
  const leaf = key.slice(key.lastIndexOf('.') + 1);
  if (typeof value === 'string') return clean(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return clean(
      Object.entries(value)
        .map(([k, v]) => `${k}${scalar(v)}`)
        .join('-'),
    );
  }
  return clean(`${leaf}${scalar(value)}`);
}

/**
 * The run name of sweep point `index` of `total`: `<sweep>-<index>-<slug>`, where the slug
 * shows the point's parameters (`iris-bands-3-lo0.2-hi0.3_hysteresis_seed2`). The index is
 * zero-padded so names sort in point order, and it alone keeps names unique, so the slug may
 * be cut to fit the 64-character run-name rule (a directory, a URL segment and a metrics
 * label).
 *
 * @example
 * pointName('iris', 5, 8, { 'controller.type': 'pid', seed: 2 }); // 'iris-5-pid_seed2'
 */
export function pointName(
  sweep: string,
  index: number,
  total: number,
  params: Readonly<Record<string, unknown>>,
): string {
  const width = String(Math.max(total - 1, 0)).length;
  const head = `${sweep}-${String(index).padStart(width, '0')}`;
  const slug = Object.entries(params)
    .map(([key, value]) => fragment(key, value))
    .filter((f) => f !== '')
    .join('_');
  const name = (slug === '' ? head : `${head}-${slug}`).slice(0, MAX_NAME).replace(/[-_.]+$/, '');
  if (!RUN_NAME_PATTERN.test(name)) throw new RangeError(`sweep name ${JSON.stringify(sweep)} cannot make a run name`);
  return name;
}
