import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../core/user-error.js';

/**
 * The keys a compiled model's epoch logs will hold: its loss and metrics (`loss`, `acc`,
 * `mse`, …) and, with validation data, the same prefixed `val_`. Known before training, so a
 * band on a key the model never logs is refused up front.
 *
 * @example
 * model.compile({ optimizer: 'adam', loss: 'meanSquaredError', metrics: ['mae'] });
 * loggedKeys(model, true); // ['loss', 'mae', 'val_loss', 'val_mae']
 */
export function loggedKeys(model: tf.LayersModel, validation: boolean): string[] {
  const names = model.metricsNames ?? [];
  return validation ? [...names, ...names.map((n) => `val_${n}`)] : [...names];
}

/**
 * Throws a one-line {@link UserError} naming `option` unless `key` is one of
 * {@link loggedKeys}; also refuses a model that is not compiled.
 *
 * @example
 * requireLoggedKey(model, 'val_mse', false, 'lossKey');
 * // UserError: lossKey "val_mse": the model logs only loss, mse (no validation data)
 */
export function requireLoggedKey(model: tf.LayersModel, key: string, validation: boolean, option: string): void {
  if (!(model as { optimizer?: unknown }).optimizer) {
    throw new UserError(`model "${model.name}" is not compiled: call model.compile({ optimizer, loss }) first`);
  }
  const keys = loggedKeys(model, validation);
  if (!keys.includes(key)) {
    const hint = !validation && key.startsWith('val_') ? ' (no validation data)' : '';
    throw new UserError(`${option} ${JSON.stringify(key)}: the model logs only ${keys.join(', ')}${hint}`);
  }
}
