import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';
import type { EpochEvent } from '../../src/core/epoch-event.js';

const event = (epoch: number): EpochEvent => ({
  run: 'r',
  epoch,
  loss: 0.35,
  valLoss: 0.3,
  valAccuracy: 0.9,
  durationMs: 1,
  nonFinite: false,
  sigma: 0.5,
  draws: 4,
  smoothedLoss: 0.34,
  band: { lo: 0.3, hi: 0.4 },
  inBand: true,
  terms: { p: 0, i: 0, d: 0, error: 0 },
  timestamp: 0,
});

function capture(): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

describe('createProgress', () => {
  it("prints the seed program's line for every epoch", () => {
    const c = capture();
    const p = createProgress({ mode: 'seed', epochs: 3, out: c.out });
    [1, 2, 3].forEach((e) => p.epoch(event(e)));
    expect(c.text()).toBe('Epoch 1/3 Loss: 0.35\nEpoch 2/3 Loss: 0.35\nEpoch 3/3 Loss: 0.35\n');
  });

  it('prints about 20 plain lines per run, with loss, band, σ, draws and accuracy', () => {
    const c = capture();
    const p = createProgress({ mode: 'lines', epochs: 200, out: c.out });
    for (let e = 1; e <= 200; e++) p.epoch(event(e));
    const lines = c.text().trim().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe(
      'epoch 10/200  loss 0.3500  smoothed 0.3400  band [0.3, 0.4] in   σ 0.500  draws 4  val acc 0.900',
    );
  });

  it('names an unreachable or too narrow band on the line', () => {
    const c = capture();
    const p = createProgress({ mode: 'lines', epochs: 10, out: c.out });
    for (let e = 1; e <= 10; e++) p.epoch({ ...event(e), bandStatus: 'unreachable-above', bandTooNarrow: true });
    expect(c.text().trim().split('\n').at(-1)?.endsWith('val acc 0.900  unreachable-above  band too narrow')).toBe(
      true,
    );
  });

  it('prints nothing when quiet', () => {
    const c = capture();
    const p = createProgress({ mode: 'quiet', epochs: 5, out: c.out });
    p.epoch(event(1));
    p.stop();
    expect(c.text()).toBe('');
  });
});
