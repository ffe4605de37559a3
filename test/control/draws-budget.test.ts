import { describe, expect, it } from 'vitest';
import { budgetDraws } from '../../src/control/draws-budget.js';

const digits = { trainRows: 1437, valRows: 360, widths: [64, 256, 256, 10] };
const iris = { trainRows: 120, valRows: 30, widths: [4, 10, 3] };

describe('budgetDraws', () => {
  it('keeps a mid-size model within budget × the σ = 0 epoch work', () => {
    expect(budgetDraws(digits)).toBe(2);
    expect(budgetDraws(digits, { budget: 1 })).toBe(1);
    expect(budgetDraws(digits, { budget: 4.5 })).toBe(4);
  });

  it('lets tiny models use maxDraws: their extra work is under the free allowance', () => {
    expect(budgetDraws(iris)).toBe(16);
    expect(budgetDraws(iris, { maxDraws: 8 })).toBe(8);
    expect(budgetDraws(iris, { freeWork: 0 })).toBe(2);
  });

  it('counts the noise-free validation pass as fixed work (it makes more copies fit)', () => {
    // P = 10 multiply-adds per row; K = 1 costs 3·100·10 + 300·10 = 6000; budget 2 allows 12000 → K = 3.
    expect(budgetDraws({ trainRows: 100, valRows: 300, widths: [1, 5] }, { freeWork: 0 })).toBe(3);
  });

  it('refuses a budget under 1 or not finite, naming it', () => {
    expect(() => budgetDraws(iris, { budget: 0.5 })).toThrow(/noise budget: 0.5/);
    expect(() => budgetDraws(iris, { budget: Infinity })).toThrow(/noise budget: Infinity/);
  });
});
