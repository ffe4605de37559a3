import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actuation } from '../../src/core/actuation.js';
import type { EpochMeasurement } from '../../src/core/epoch-measurement.js';
import { irisSeedSplit } from '../../src/data/split.js';
import { JsPlant } from '../../src/engines/js/js-plant.js';
import type { PlantOptions } from '../../src/engines/plant-options.js';
import { TfjsPlant } from '../../src/engines/tfjs/tfjs-plant.js';
import type { TrainablePlant } from '../../src/engines/trainable-plant.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const act = (e: number): Actuation => ({
  sigma: 0.1 * (e % 3),
  draws: 1 + (e % 2),
  floodLevel: e === 2 ? 0.5 : undefined,
});
const without = ({ durationMs: _, ...m }: EpochMeasurement) => m;

/** Epochs of `plant`, each awaited: sliced epochs return a Promise. */
async function epochs(plant: TrainablePlant, n: number, sliceMs: number) {
  const out: Omit<EpochMeasurement, 'durationMs'>[] = [];
  let promises = 0;
  for (let e = 0; e < n; e++) {
    const result = plant.stepSliced(act(e), { sliceMs });
    if (result instanceof Promise) promises += 1;
    out.push(without(await result));
  }
  return { out, promises, state: plant.exportState() };
}

describe.each([
  ['js', (o: PlantOptions) => new JsPlant(o)],
  ['tfjs', (o: PlantOptions) => new TfjsPlant(o)],
])('%s engine: an epoch in slices', (_name, make) => {
  const options = { split: irisSeedSplit(), seed: '3', batchSize: 16, measureClean: true };

  it('computes exactly what the unsliced epoch computes, yielding after every batch with sliceMs 0', async () => {
    const sliced = make(options);
    const whole = make(options);
    const a = await epochs(sliced, 4, 0);
    const b = await epochs(whole, 4, Infinity);
    expect(a.promises).toBe(4);
    expect(b.promises).toBe(0);
    expect(a.out).toEqual(b.out);
    expect(a.state).toEqual(b.state);
    sliced.dispose();
    whole.dispose();
  });

  it('lets the event loop run between batches (an immediate queued before the epoch runs before it ends)', async () => {
    const plant = make(options);
    let ran = false;
    setImmediate(() => (ran = true));
    const result = plant.stepSliced(act(0), { sliceMs: 0 });
    expect(ran).toBe(false);
    await result;
    expect(ran).toBe(true);
    plant.dispose();
  });

  it('leaves no tensor behind across sliced epochs', async () => {
    const plant = make(options);
    await plant.stepSliced(act(0), { sliceMs: 0 }); // the first epoch creates the optimiser's moments
    const before = tf.memory().numTensors;
    for (let e = 1; e < 4; e++) await plant.stepSliced(act(e), { sliceMs: 0 });
    expect(tf.memory().numTensors).toBe(before);
    plant.dispose();
  });
});
