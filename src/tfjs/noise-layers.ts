import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../core/user-error.js';
import { ControlledNoise } from './controlled-noise.js';

/** What tfjs nests: a model is a layer whose `layers` are its own layers. */
interface HasLayers {
  readonly name: string;
  readonly layers: readonly unknown[];
}

function hasLayers(x: unknown): x is HasLayers {
  return typeof x === 'object' && x !== null && Array.isArray((x as { layers?: unknown }).layers);
}

/**
 * Every {@link ControlledNoise} layer of a model, in layer order, including those inside
 * nested models (a `tf.sequential` used as a layer of another model).
 *
 * @example
 * noiseLayers(model).map((l) => l.sigma); // [0.1]
 */
export function noiseLayers(model: tf.LayersModel): ControlledNoise[] {
  const found: ControlledNoise[] = [];
  const seen = new Set<unknown>();
  const visit = (layer: unknown): void => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (layer instanceof ControlledNoise) found.push(layer);
    else if (hasLayers(layer)) layer.layers.forEach(visit);
  };
  visit(model);
  return found;
}

/**
 * Throws the one-line error for a model that lossband cannot act on: it has no
 * {@link ControlledNoise} layer. Returns the layers otherwise.
 *
 * @example
 * requireNoiseLayers(model); // UserError: model "sequential_1" has no controlledNoise layer: …
 */
export function requireNoiseLayers(model: tf.LayersModel): ControlledNoise[] {
  const layers = noiseLayers(model);
  if (layers.length === 0) {
    throw new UserError(
      `model "${model.name}" has no controlledNoise layer: add controlledNoise() from 'lossband/tfjs' where the noise goes (e.g. right after the input)`,
    );
  }
  return layers;
}

/**
 * Sets σ on every {@link ControlledNoise} layer of `model`; the next training batch applies
 * it, no recompiling. Throws a one-line {@link UserError} when the model has none, and a
 * `RangeError` for a σ that is negative or not finite.
 *
 * @example
 * setSigma(model, 0.25);
 */
export function setSigma(model: tf.LayersModel, sigma: number): void {
  for (const layer of requireNoiseLayers(model)) layer.setSigma(sigma);
}
