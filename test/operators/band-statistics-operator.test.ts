import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { bandStatistics } from '../../src/operators/band-statistics-operator.js';
import { event } from '../control/events.js';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('bandStatistics', () => {
  it('emits running statistics after every event and completes with its source', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const events = cold('--a--b--c--|', { a: event(1, 0.5, 0.1), b: event(2, 0.35, 0.2), c: event(3, 0.2, 0.1) });
      const summary = events.pipe(
        bandStatistics(),
        map((s) => [s.firstInBandEpoch, s.inBandFraction, Number(s.bandIAE.toFixed(9)), s.sigmaReversals]),
      );
      expectObservable(summary).toBe('--A--B--C--|', {
        A: [null, null, 0.1, 0],
        B: [2, 1, 0.1, 0],
        C: [2, 0.5, 0.2, 1],
      });
    });
  });

  it('passes errors through', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const events = cold('--a--#', { a: event(1, 0.35, 0.1) }, new Error('boom'));
      expectObservable(
        events.pipe(
          bandStatistics(),
          map((s) => s.epochs),
        ),
      ).toBe('--1--#', { 1: 1 }, new Error('boom'));
    });
  });

  it('starts every subscription from empty statistics', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const stats = cold('a|', { a: event(1, 0.35, 0.1) }).pipe(
        bandStatistics(),
        map((s) => s.epochs),
      );
      expectObservable(stats).toBe('a|', { a: 1 });
      expectObservable(stats).toBe('a|', { a: 1 });
    });
  });
});
