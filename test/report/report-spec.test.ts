import { describe, expect, it } from 'vitest';
import { buildReportSpec, LOSS_AXIS_TITLE, SIGMA_AXIS_TITLE } from '../../src/report/report-spec.js';
import { syntheticRun } from './synthetic-run.js';

interface Layer {
  mark: { type: string };
  encoding: Record<string, { field?: string; datum?: string; title?: string; scale?: { type?: string } }>;
}
interface Spec {
  data: { values: unknown[] };
  layer: [{ layer: Layer[] }, Layer];
  resolve: unknown;
  title?: string;
}

const specOf = (...args: Parameters<typeof buildReportSpec>): Spec => buildReportSpec(...args) as unknown as Spec;
const summary = (l: Layer): string =>
  `${l.mark.type}:${l.encoding['y']?.field}${l.encoding['y2'] ? `-${l.encoding['y2'].field}` : ''}:${l.encoding['color']?.datum}`;

describe('buildReportSpec', () => {
  it('layers band, raw and smoothed loss on one axis and σ on an independent one', () => {
    const spec = specOf(syntheticRun(100), { title: 'demo' });
    expect(spec.title).toBe('demo');
    expect(spec.resolve).toEqual({ scale: { y: 'independent' } });
    const [loss, sigma] = spec.layer;
    expect(loss.layer.map(summary)).toEqual([
      'area:lo-hi:band',
      'line:loss:raw loss',
      'line:smoothedLoss:smoothed loss',
    ]);
    expect(loss.layer.every((l) => l.encoding['x']?.field === 'epoch')).toBe(true);
    expect(loss.layer.every((l) => l.encoding['y']?.title === LOSS_AXIS_TITLE)).toBe(true);
    expect(summary(sigma)).toBe('line:sigma:σ');
    expect(sigma.encoding['y']?.title).toBe(SIGMA_AXIS_TITLE);
    expect(sigma.encoding['y']?.scale?.type).toBe('log');
    expect(spec.data.values).toHaveLength(100);
  });

  it('uses a linear σ axis when σ reaches 0', () => {
    const events = syntheticRun(10).map((e, i) => (i === 0 ? { ...e, sigma: 0 } : e));
    expect(specOf(events).layer[1].encoding['y']?.scale?.type).toBeUndefined();
  });

  it('adds a min–max envelope and bounds the points for long runs', () => {
    const spec = specOf(syntheticRun(100_000));
    expect(spec.data.values.length).toBeLessThanOrEqual(2000);
    expect(spec.layer[0].layer.map(summary)).toContain('area:lossMin-lossMax:raw loss');
    expect(specOf(syntheticRun(5000), { maxPoints: 100 }).data.values.length).toBeLessThanOrEqual(100);
  });
});
