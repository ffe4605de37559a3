/**
 * What the controller asks of the next epoch. The training boundary applies it; nothing else.
 */
export interface Actuation {
  /** Std of the Gaussian noise added to the training inputs this epoch (>= 0). */
  readonly sigma: number;
  /** K noisy copies of every training sample this epoch (integer >= 1). */
  readonly draws: number;
  /**
   * Flooding level b (Ishida et al., 2020): train on |L − b| + b. Undefined means plain loss.
   */
  readonly floodLevel?: number | undefined;
}

/** P, I and D contributions of the last controller step, plus the normalised error. */
export interface ControllerTerms {
  readonly p: number;
  readonly i: number;
  readonly d: number;
  readonly error: number;
}

/** Terms for controllers that have none. */
export const ZERO_TERMS: ControllerTerms = Object.freeze({ p: 0, i: 0, d: 0, error: 0 });
