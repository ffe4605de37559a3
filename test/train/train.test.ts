import { TestScheduler } from 'rxjs/testing';
import { BehaviorSubject, firstValueFrom, map, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ZERO_TERMS } from '../../src/core/actuation.js';
import type { Actuator } from '../../src/core/actuator.js';
import { train } from '../../src/train/train.js';
import { AsyncSimPlant, SimPlant } from './sim-plant.js';

/** Doubles σ after every epoch: makes the feedback path visible in the events. */
function doubling(): Actuator {
  let sigma = 0.1;
  return {
    get actuation() {
      return { sigma, draws: 1 };
    },
    observe(m) {
      sigma *= 2;
      return { smoothedLoss: m.loss, band: { lo: 0, hi: 1 }, inBand: m.loss <= 1, terms: ZERO_TERMS };
    },
  };
}

const scheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b));

describe('train', () => {
  it('emits one event per epoch, numbered from 1, and completes after `epochs`', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const source = train({
        run: 'r',
        epochs: 3,
        plant: () => new SimPlant(),
        actuator: doubling,
        scheduler: ts,
        now: () => 7,
      });
      const epochs = source.pipe(toArray());
      expectObservable(epochs).toBe('(a|)', {
        a: [1, 2, 3].map((epoch) => expect.objectContaining({ run: 'r', epoch, timestamp: 7 })),
      });
    });
  });

  it('applies at epoch t+1 the actuator response to epoch t', async () => {
    const plant = new SimPlant();
    const events = await firstValueFrom(
      train({ run: 'r', epochs: 4, plant: () => plant, actuator: doubling }).pipe(toArray()),
    );
    expect(events.map((e) => e.sigma)).toEqual([0.1, 0.2, 0.4, 0.8]);
    expect(plant.applied.map((a) => a.sigma)).toEqual([0.1, 0.2, 0.4, 0.8]);
  });

  it('is cold: each subscription builds its own plant and starts at epoch 1', async () => {
    const plants: SimPlant[] = [];
    const run$ = train({
      run: 'r',
      epochs: 2,
      plant: () => (plants.push(new SimPlant()), plants.at(-1)!),
      actuator: doubling,
    });
    const a = await firstValueFrom(run$.pipe(toArray()));
    const b = await firstValueFrom(run$.pipe(toArray()));
    expect(plants).toHaveLength(2);
    expect(a.map((e) => e.loss)).toEqual(b.map((e) => e.loss));
  });

  it('runs forever with epochs = 0 and disposes the plant on unsubscribe', async () => {
    const plant = new SimPlant();
    const events = await firstValueFrom(
      train({ run: 'r', plant: () => plant, actuator: doubling }).pipe(take(25), toArray()),
    );
    expect(events.at(-1)?.epoch).toBe(25);
    expect(plant.applied).toHaveLength(25);
    expect(plant.disposed).toBe(1);
  });

  it('continues epoch numbering after startEpoch', async () => {
    const events = await firstValueFrom(
      train({ run: 'r', epochs: 2, startEpoch: 10, plant: () => new SimPlant(), actuator: doubling }).pipe(toArray()),
    );
    expect(events.map((e) => e.epoch)).toEqual([11, 12]);
  });

  it('yields to the event loop between epochs', async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 0);
    const slow = new SimPlant();
    const step = slow.step.bind(slow);
    slow.step = (a) => {
      const until = performance.now() + 2;
      while (performance.now() < until);
      return step(a);
    };
    await firstValueFrom(train({ run: 'r', epochs: 20, plant: () => slow, actuator: doubling }).pipe(toArray()));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });

  it('reports a plant error through the stream and still disposes', async () => {
    const plant = new SimPlant();
    plant.step = () => {
      throw new Error('boom');
    };
    await expect(
      firstValueFrom(train({ run: 'r', epochs: 3, plant: () => plant, actuator: doubling })),
    ).rejects.toThrow('boom');
    expect(plant.disposed).toBe(1);
  });
});

describe('train pausing', () => {
  it('starts no epoch while paused and continues on resume', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ cold, expectObservable }) => {
      // Epochs take no virtual time, so all five land in the frame where the pause lifts.
      const paused = cold<boolean>('t---f', { t: true, f: false });
      const source = train({
        run: 'r',
        epochs: 5,
        plant: () => new SimPlant(),
        actuator: doubling,
        scheduler: ts,
        paused,
      });
      expectObservable(source.pipe(map((e) => e.epoch))).toBe('----(abcde|)', { a: 1, b: 2, c: 3, d: 4, e: 5 });
    });
  });

  it('pauses between epochs when asked from an event handler', async () => {
    const paused = new BehaviorSubject(false);
    const seen: number[] = [];
    const done = firstValueFrom(
      train({ run: 'r', epochs: 6, plant: () => new SimPlant(), actuator: doubling, paused }).pipe(
        map((e) => {
          seen.push(e.epoch);
          if (e.epoch === 3) {
            paused.next(true);
            // Let the event loop turn several times: a paused loop must not advance.
            const turns = (n: number): void => {
              if (n > 0) return void setImmediate(() => turns(n - 1));
              expect(seen).toEqual([1, 2, 3]);
              paused.next(false);
            };
            turns(10);
          }
          return e.epoch;
        }),
        toArray(),
      ),
    );
    expect(await done).toEqual([1, 2, 3, 4, 5, 6]);
  });

  describe('with an async plant', () => {
    /** Lets pending promise callbacks and setImmediate turns run. */
    const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
    /** Releases epochs one at a time until `n` have ended. */
    async function release(plant: AsyncSimPlant, n: number): Promise<void> {
      for (let i = 0; i < n; i++) {
        while (plant.waiting === 0) await turn();
        plant.release();
        await turn();
      }
    }

    it('awaits each epoch, never overlaps two, and keeps the feedback order', async () => {
      const plant = new AsyncSimPlant();
      const done = firstValueFrom(
        train({ run: 'r', epochs: 4, plant: () => plant, actuator: doubling }).pipe(toArray()),
      );
      await release(plant, 4);
      const events = await done;
      expect(events.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
      expect(events.map((e) => e.sigma)).toEqual([0.1, 0.2, 0.4, 0.8]);
      expect(plant.maxInFlight).toBe(1);
      expect(plant.disposed).toBe(1);
    });

    it('lets the event loop run while an epoch is in flight', async () => {
      const plant = new AsyncSimPlant();
      const seen: number[] = [];
      const sub = train({ run: 'r', plant: () => plant, actuator: doubling }).subscribe((e) => seen.push(e.epoch));
      await turn();
      let timerRan = false;
      setImmediate(() => (timerRan = true));
      await turn();
      expect(timerRan).toBe(true);
      expect(seen).toEqual([]);
      await release(plant, 2);
      expect(seen).toEqual([1, 2]);
      sub.unsubscribe();
      release(plant, 1);
    });

    it('disposes the plant only after the epoch in flight settles, and emits nothing after unsubscribe', async () => {
      const plant = new AsyncSimPlant();
      const seen: number[] = [];
      const sub = train({ run: 'r', plant: () => plant, actuator: doubling }).subscribe((e) => seen.push(e.epoch));
      await release(plant, 1);
      while (plant.waiting === 0) await turn();
      sub.unsubscribe();
      expect(plant.disposed).toBe(0);
      plant.release();
      await turn();
      expect(plant.disposed).toBe(1);
      expect(seen).toEqual([1]);
    });

    it('reports a rejected epoch through the stream and disposes', async () => {
      const plant = new AsyncSimPlant();
      const done = firstValueFrom(
        train({ run: 'r', epochs: 3, plant: () => plant, actuator: doubling }).pipe(toArray()),
      ).catch((err: unknown) => err);
      await release(plant, 1);
      plant.failNext = new Error('fit failed');
      await release(plant, 1);
      expect(await done).toEqual(new Error('fit failed'));
      expect(plant.disposed).toBe(1);
    });
  });
});
