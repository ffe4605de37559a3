import { BAND_STATUSES } from '../core/band-status.js';
import type { EpochEvent } from '../core/epoch-event.js';
import type { MetricName } from './metric-names.js';

/** A gauge whose value is read off the last {@link EpochEvent} at scrape time. */
export interface EpochGauge {
  readonly name: MetricName;
  readonly help: string;
  /** Extra label and its values, e.g. the P, I and D terms; each value gets its own reader. */
  readonly split?: { readonly label: string; readonly values: Readonly<Record<string, (e: EpochEvent) => number>> };
  /** Reads the value; `undefined` leaves the series out (e.g. no clean loss measured yet). */
  readonly read?: (e: EpochEvent, memory: EpochMemory) => number | undefined;
}

/** What a run's series remember from earlier epochs than the last. */
export interface EpochMemory {
  /** The last clean loss measured (it is measured every `metrics.cleanEvery` epochs); undefined before one. */
  readonly cleanLoss: number | undefined;
}

/**
 * The per-epoch gauges of {@link LossbandMetrics}. They are read at scrape time rather than set
 * every epoch, so an epoch costs one reference store however many gauges there are.
 *
 * @example
 * EPOCH_GAUGES.find((g) => g.name === 'lossband_noise_sigma')?.read?.(event); // event.sigma
 */
export const EPOCH_GAUGES: readonly EpochGauge[] = [
  {
    name: 'lossband_training_loss',
    help: 'Mean training loss of the last epoch, on noisy inputs; NaN or +-Inf when it diverged.',
    read: (e) => e.loss,
  },
  {
    name: 'lossband_clean_loss',
    help: 'Training loss without noise, as last measured (every metrics.cleanEvery epochs, or every epoch with signal: clean).',
    read: (_e, memory) => memory.cleanLoss,
  },
  {
    name: 'lossband_smoothed_loss',
    help: 'Filtered training loss the controller holds inside the band.',
    read: (e) => e.smoothedLoss,
  },
  {
    name: 'lossband_validation_loss',
    help: 'Loss on the held-out split after the last epoch, without noise.',
    read: (e) => e.valLoss,
  },
  {
    name: 'lossband_validation_accuracy_ratio',
    help: 'Accuracy on the held-out split after the last epoch, 0 to 1.',
    read: (e) => e.valAccuracy,
  },
  { name: 'lossband_band_lower', help: 'Lower edge of the loss band in force.', read: (e) => e.band.lo },
  { name: 'lossband_band_upper', help: 'Upper edge of the loss band in force.', read: (e) => e.band.hi },
  {
    name: 'lossband_noise_sigma',
    help: 'Std of the Gaussian input noise applied in the last epoch.',
    read: (e) => e.sigma,
  },
  { name: 'lossband_noise_draws', help: 'Noisy copies per training sample in the last epoch.', read: (e) => e.draws },
  {
    name: 'lossband_controller_error',
    help: 'Normalised control error of the last controller step.',
    read: (e) => e.terms.error,
  },
  {
    name: 'lossband_controller_term',
    help: 'P, I and D contributions of the last controller step.',
    split: { label: 'term', values: { p: (e) => e.terms.p, i: (e) => e.terms.i, d: (e) => e.terms.d } },
  },
  {
    name: 'lossband_band_status',
    help: 'Verdict on the band: 1 for the current one (held, not-held, unreachable-above, unreachable-below), 0 for the others.',
    split: {
      label: 'status',
      values: Object.fromEntries(BAND_STATUSES.map((s) => [s, (e: EpochEvent) => (e.bandStatus === s ? 1 : 0)])),
    },
  },
  {
    name: 'lossband_loss_jitter',
    help: 'Measured epoch-to-epoch jitter (std) of the raw training loss at the current sigma and draws.',
    read: (e) => e.jitter,
  },
  {
    name: 'lossband_band_too_narrow',
    help: '1 when the band is narrower than the loss jitter lets the loop hold within noise.budget, else 0.',
    read: (e) => (e.bandTooNarrow === undefined ? undefined : e.bandTooNarrow ? 1 : 0),
  },
  {
    name: 'lossband_in_band',
    help: '1 when the last epoch training loss lay inside the band, else 0.',
    read: (e) => (e.inBand ? 1 : 0),
  },
  {
    name: 'lossband_epoch',
    help: 'Number of the last finished epoch; continues across resumes.',
    read: (e) => e.epoch,
  },
  {
    name: 'lossband_last_epoch_timestamp_seconds',
    help: 'Unix time when the last epoch finished.',
    read: (e) => e.timestamp / 1000,
  },
];
