/**
 * What one training epoch measured, as plain numbers. Tensors end before this type
 * (ARCHITECTURE.md, rule 3): it is the only thing that leaves the training boundary.
 */
export interface EpochMeasurement {
  /** Mean training loss of the noisy forward pass, before this epoch's optimiser step (as the seed prints it). */
  readonly loss: number;
  /** Training loss on the same samples without noise; only present when the loop measures it. */
  readonly cleanLoss?: number | undefined;
  /** Loss on the held-out split, no noise, after this epoch's step. */
  readonly valLoss: number;
  /** Accuracy on the held-out split, in [0, 1]. */
  readonly valAccuracy: number;
  /** Wall time the epoch took, in milliseconds. */
  readonly durationMs: number;
  /** True when the loss or a weight became NaN or ±Infinity. */
  readonly nonFinite: boolean;
}
