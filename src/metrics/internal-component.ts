/**
 * The parts of lossband whose failures are counted in `lossband_internal_errors_total{component}`
 * instead of stopping training (ARCHITECTURE.md, rule 4). A fixed list keeps the label low-cardinality
 * and lets every series start at 0, so `increase()` sees the first error.
 *
 * @example
 * INTERNAL_COMPONENTS.includes('server'); // true
 */
export const INTERNAL_COMPONENTS = ['metrics', 'server', 'api', 'store', 'report', 'controller'] as const;

/** One of {@link INTERNAL_COMPONENTS}. */
export type InternalComponent = (typeof INTERNAL_COMPONENTS)[number];

/**
 * Something that counts internal errors; {@link LossbandMetrics} is one.
 *
 * @example
 * const errors: ErrorCounter = { countError: () => undefined }; // a no-op for tests
 */
export interface ErrorCounter {
  countError(component: InternalComponent): void;
}
