/**
 * The value of the first sample of `name` in a Prometheus text exposition, whatever its
 * labels; `undefined` when the metric is absent. Enough for a soak probe that reads a handful
 * of gauges, not a general parser.
 *
 * @example
 * sampleValue('process_resident_memory_bytes 123\n', 'process_resident_memory_bytes'); // 123
 */
export function sampleValue(text: string, name: string): number | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^${escaped}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text);
  return m === null ? undefined : Number(m[1]);
}

/**
 * Names of the metrics in `text` that match `pattern`, e.g. to look for a tensor-count gauge.
 *
 * @example
 * metricNames('# TYPE a gauge\na 1\n', /^a$/); // ['a']
 */
export function metricNames(text: string, pattern: RegExp): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) /gm)) if (pattern.test(m[1] as string)) names.add(m[1] as string);
  return [...names];
}
