import type { EncodedFloats } from '../core/float-codec.js';
import type { GaussianState } from './noise/gaussian.js';

// The codec moved to core (the tfjs adapter shares it); re-exported for the engines' imports.
export { encodeFloats, decodeFloats, type EncodedFloats } from '../core/float-codec.js';

/** Everything a {@link TfjsPlant} needs to continue bit-exactly: weights, optimiser, noise stream. */
export interface PlantState {
  /** Model variables in layer order (W1, b1, W2, b2, …). */
  readonly weights: readonly EncodedFloats[];
  readonly optimizer: {
    readonly type: 'adam' | 'sgd';
    readonly iterations: number;
    /** Adam's first and second moments (per variable) and its running β powers. */
    readonly m?: readonly EncodedFloats[];
    readonly v?: readonly EncodedFloats[];
    readonly accBeta1?: number;
    readonly accBeta2?: number;
  };
  readonly noise: GaussianState;
}
