import type { Controller } from './controller.js';
import { createFixedController, type FixedOptions } from './fixed.js';
import { createFloodingController, type FloodingOptions } from './flooding.js';
import { createHysteresisController, type HysteresisOptions } from './hysteresis.js';
import { createPidController, type PidOptions } from './pid.js';

/** Which controller to build, and its options: plain JSON, as it appears in a run config. */
export type ControllerConfig =
  | ({ readonly type: 'pid' } & PidOptions)
  | ({ readonly type: 'hysteresis' } & HysteresisOptions)
  | ({ readonly type: 'fixed' } & FixedOptions)
  | ({ readonly type: 'flooding' } & FloodingOptions);

/** The controller types {@link createController} knows. */
export const CONTROLLER_TYPES = ['pid', 'hysteresis', 'fixed', 'flooding'] as const;

/**
 * Builds the controller a config names. Unknown types throw, naming the value.
 *
 * @example
 * const pid = createController({ type: 'pid', ki: 0.02 });
 * pid.type; // 'pid'
 */
export function createController(config: ControllerConfig): Controller {
  // Controllers differ in state type; the loop only ever hands a controller its own state.
  switch (config.type) {
    case 'pid':
      return createPidController(config) as Controller;
    case 'hysteresis':
      return createHysteresisController(config) as Controller;
    case 'fixed':
      return createFixedController(config) as Controller;
    case 'flooding':
      return createFloodingController(config) as Controller;
    default:
      throw new RangeError(`Invalid controller type: ${String((config as { type: unknown }).type)}`);
  }
}
