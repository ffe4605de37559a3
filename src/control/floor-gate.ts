/** Options for {@link stepFloorGate}. */
export interface FloorGateOptions {
  /** Epochs at the resting floor, filtered loss above the band, per progress check. Defaults to 25. */
  readonly patience?: number;
  /** The check's descent must reach the band within this many more periods. Defaults to 4. */
  readonly horizon?: number;
}

/** Gate state: plain JSON. */
export interface FloorGateState {
  /** Whether σ may go below its resting floor (once open, it stays open). */
  readonly open: boolean;
  /** Epochs of the current check period. */
  readonly since: number;
  /** Filtered loss when the period began; null outside one. */
  readonly start: number | null;
}

/** A closed gate. */
export const CLOSED_FLOOR_GATE: FloorGateState = Object.freeze({ open: false, since: 0, start: null });

/**
 * Decides when σ may leave its resting floor (`noise.min`) downwards. σ rests there during the
 * first descent, so that the climb after the first entry is short; but when the loss the floor's
 * own noise adds keeps the loss above the band (a low band late in training: Iris [0.02, 0.05]
 * sits at σ = 0.1 for 1999 of 2000 epochs on some seeds), σ must go lower. The gate opens when,
 * with σ at the floor and the filtered loss above the band, a `patience`-epoch period shows the
 * loss falling too slowly to enter within `horizon` more periods (100 epochs with the defaults).
 * A descent that is on course keeps it closed, so first entries do not change.
 *
 * @example
 * let g = CLOSED_FLOOR_GATE;
 * for (let k = 0; k < 25; k++) g = stepFloorGate(g, { atFloor: true, measurement: 0.055, hi: 0.05, dt: 1 });
 * g.open; // true: 0.005 above the band and not falling
 */
export function stepFloorGate(
  state: FloorGateState,
  input: { readonly atFloor: boolean; readonly measurement: number; readonly hi: number; readonly dt: number },
  options: FloorGateOptions = {},
): FloorGateState {
  const { patience = 25, horizon = 4 } = options;
  if (state.open) return state;
  if (!input.atFloor || !(input.measurement > input.hi)) return CLOSED_FLOOR_GATE;
  const start = state.start ?? input.measurement;
  const since = state.since + input.dt;
  if (since < patience) return { open: false, since, start };
  const descent = start - input.measurement;
  const stalled = descent <= 0 || input.measurement - input.hi > horizon * descent;
  return stalled ? { open: true, since: 0, start: null } : { open: false, since: 0, start: input.measurement };
}
