import { describe, expect, it } from 'vitest';
import { JS_ENGINE_MAX_WORK, selectEngine, stepWork } from '../../src/engines/select-engine.js';

describe('engine selection', () => {
  it('measures work as rows per optimiser step × parameters', () => {
    // the seed's 4-10-3 net has 83 parameters
    expect(stepWork({ rows: 120, draws: 1, batchSize: null, widths: [4, 10, 3] })).toBe(120 * 83);
    expect(stepWork({ rows: 120, draws: 4, batchSize: 32, widths: [4, 10, 3] })).toBe(32 * 83);
    expect(stepWork({ rows: 3276, draws: 1, batchSize: null, widths: [64, 256, 3] })).toBe(3276 * (65 * 256 + 257 * 3));
  });

  it('runs small models in plain JS and large ones on the fastest tfjs backend', async () => {
    expect(await selectEngine(undefined, 120 * 83)).toBe('js');
    expect(await selectEngine(undefined, JS_ENGINE_MAX_WORK + 1)).toMatch(/^(node|wasm)$/);
    expect(await selectEngine('cpu', 1)).toBe('cpu');
    expect(await selectEngine('js', 1e9)).toBe('js');
  });

  it('uses tfjs-node when it loads, and names --backend when it cannot', async () => {
    // tfjs-node is an optional dependency that cannot install without internet access
    const loads = await import('@tensorflow/tfjs-node' as string).then(
      () => true,
      () => false,
    );
    const chosen = selectEngine('node', 1e9);
    if (loads) await expect(chosen).resolves.toBe('node');
    else await expect(chosen).rejects.toThrow(/^--backend node: /);
  });
});
