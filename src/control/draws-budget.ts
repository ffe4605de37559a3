/** What one epoch computes, for {@link budgetDraws}: plain counts, known before training. */
export interface EpochShape {
  /** Training rows (each noisy copy trains on all of them once per epoch). */
  readonly trainRows: number;
  /** Held-out rows evaluated once per epoch, without noise. */
  readonly valRows: number;
  /** Layer widths, inputs first: a row's forward pass costs Σ (in + 1)·out multiply-adds. */
  readonly widths: readonly number[];
}

/** Options for {@link budgetDraws}. */
export interface DrawsBudgetOptions {
  /** Allowed epoch work with K copies, as a multiple of the σ = 0 (K = 1) epoch's. Defaults to {@link DEFAULT_NOISE_BUDGET}. */
  readonly budget?: number;
  /**
   * Extra multiply-adds per epoch that are always allowed, however small the model: below
   * this, per-epoch overhead, not arithmetic, sets the wall time. Defaults to {@link DEFAULT_FREE_WORK}.
   */
  readonly freeWork?: number;
  /** Upper bound whatever the budget (`noise.maxDraws`). Defaults to 16. */
  readonly maxDraws?: number;
}

/** Default `noise.budget`: an epoch may cost twice the σ = 0 epoch. */
export const DEFAULT_NOISE_BUDGET = 2;

/**
 * Default free work: 2·10⁶ multiply-adds per epoch (≈ 3 ms on the plain-JS engine). Iris and
 * wine at K = 16 (0.4·10⁶ and 1.0·10⁶) stay under it; the 256-256 digits model at K = 2 adds 3.7·10⁸.
 */
export const DEFAULT_FREE_WORK = 2e6;

/**
 * The largest K (noisy copies per sample) that `draws: auto` may use under the compute budget.
 * Work model, in multiply-adds: a training row costs 3 forward passes (forward, and backward
 * for activations and weights), a held-out row one; so an epoch with K copies costs
 * 3·K·trainRows·P + valRows·P, P = the model's multiply-adds per row. K may grow while that
 * stays within `budget` × the K = 1 epoch, or within it + `freeWork`, whichever is larger.
 * Deterministic (no clock), so runs and resumes stay reproducible.
 *
 * @example
 * budgetDraws({ trainRows: 1437, valRows: 360, widths: [64, 256, 256, 10] }); // 2
 * budgetDraws({ trainRows: 120, valRows: 30, widths: [4, 10, 3] });           // 16 (tiny: free)
 */
export function budgetDraws(shape: EpochShape, options: DrawsBudgetOptions = {}): number {
  const { budget = DEFAULT_NOISE_BUDGET, freeWork = DEFAULT_FREE_WORK, maxDraws = 16 } = options;
  if (!(budget >= 1 && Number.isFinite(budget)))
    throw new RangeError(`Invalid noise budget: ${budget} (expected a finite number >= 1)`);
  if (!(freeWork >= 0 && Number.isFinite(freeWork))) throw new RangeError(`Invalid free work: ${freeWork}`);
  if (!(Number.isInteger(maxDraws) && maxDraws >= 1)) throw new RangeError(`Invalid maxDraws: ${maxDraws}`);
  let perRow = 0;
  for (let l = 0; l + 1 < shape.widths.length; l++)
    perRow += ((shape.widths[l] as number) + 1) * (shape.widths[l + 1] as number);
  const perCopy = 3 * shape.trainRows * perRow;
  const fixed = shape.valRows * perRow;
  if (!(perCopy > 0)) return maxDraws;
  const base = perCopy + fixed;
  const limit = Math.max(budget * base, base + freeWork);
  return Math.min(maxDraws, Math.max(1, Math.floor((limit - fixed) / perCopy + 1e-9)));
}
