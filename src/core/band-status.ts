/**
 * The loop's verdict on its band, as `summary.json` and `lossband_band_status{status}` report it
 * (computed by `stepVerdict` in src/control/band-verdict.ts):
 * - `held`: the raw loss has entered the band and stays in it (recent in-band share ≥ 0.9);
 * - `not-held`: not (yet) held, and nothing shows the band is out of reach;
 * - `unreachable-above`: no σ the loop may use lifts the loss into the band (its lower edge is
 *   above chance-level cross-entropy, or σ sat at its ceiling with the loss below the band);
 * - `unreachable-below`: σ sits at its floor and the loss stays above the band, falling too slowly.
 */
export type BandStatus = 'held' | 'not-held' | 'unreachable-above' | 'unreachable-below';

/** Every {@link BandStatus}, in the order metrics list them. */
export const BAND_STATUSES: readonly BandStatus[] = ['held', 'not-held', 'unreachable-above', 'unreachable-below'];
