import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Summary {
  example: string;
  epochs: number;
  band: { lo: number; hi: number };
  firstInBandEpoch: number | null;
  inBandFraction: number | null;
  lastSigma: number | null;
  valAccuracy?: number;
  valLoss?: number;
}

/**
 * Runs an example as a user would (`npx tsx examples/NAME/main.ts …`, here `node --import tsx`
 * to skip npx's start-up) against the built package (`npm test` builds first), and returns its
 * stdout lines and the JSON summary it prints last.
 */
function runExample(name: string, args: string[]): Promise<{ lines: string[]; summary: Summary }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('examples', name, 'main.ts'), ...args], {
      cwd: ROOT,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name} exited ${code}: ${err.slice(-500)}`));
      const lines = out.split('\n').filter((l) => l.trim() !== '');
      try {
        resolve({ lines, summary: JSON.parse(lines[lines.length - 1] ?? '') as Summary });
      } catch {
        reject(new Error(`${name}: last line is not a JSON summary: ${lines[lines.length - 1]}`));
      }
    });
  });
}

describe('examples', () => {
  it('use the package by its name only, as a user would', () => {
    for (const name of ['digits-cnn', 'regression-mse', 'async-plant']) {
      const source = readFileSync(path.join(ROOT, 'examples', name, 'main.ts'), 'utf8');
      expect(source).toMatch(/from 'lossband'/);
      expect(source).not.toMatch(/from '\.{1,2}\//);
    }
  });

  it(
    '(c) async-plant: a 30-line async plant under train() holds its MSE in the band',
    { timeout: 300_000 },
    async () => {
      const { summary } = await runExample('async-plant', ['--epochs', '200']);
      expect(summary).toMatchObject({ example: 'async-plant', epochs: 200, band: { lo: 0.5, hi: 0.6 } });
      expect(summary.firstInBandEpoch).toBeLessThanOrEqual(40);
      expect(summary.inBandFraction).toBeGreaterThanOrEqual(0.85);
      expect(summary.lastSigma).toBeGreaterThan(0.1); // the loop raised σ above its floor to get there
      const source = readFileSync(path.join(ROOT, 'examples/async-plant/main.ts'), 'utf8');
      const plant = source.slice(
        source.indexOf('class LinearRegressionPlant'),
        source.indexOf('// ──', source.indexOf('class LinearRegressionPlant')),
      );
      expect(plant.trim().split('\n').length).toBeLessThan(40);
    },
  );

  it('(b) regression-mse: TfjsModelPlant brings the MSE into the band', { timeout: 300_000 }, async () => {
    const { lines, summary } = await runExample('regression-mse', ['--epochs', '25']);
    expect(summary).toMatchObject({ example: 'regression-mse', epochs: 25, band: { lo: 0.2, hi: 0.3 } });
    expect(lines.filter((l) => l.startsWith('epoch '))).toHaveLength(25);
    expect(summary.firstInBandEpoch).not.toBeNull();
    expect(summary.inBandFraction).toBeGreaterThan(0.5);
    // The validation MSE has no noise: well below the band the noisy training MSE is held in.
    expect(summary.valLoss).toBeLessThan(0.2);
  });

  it(
    '(a) digits-cnn: model.fit with a callback sets σ on controlledNoise every epoch',
    { timeout: 300_000 },
    async () => {
      const { lines, summary } = await runExample('digits-cnn', ['--epochs', '3']);
      expect(summary).toMatchObject({ example: 'digits-cnn', epochs: 3, band: { lo: 0.25, hi: 0.35 } });
      const epochs = lines.filter((l) => l.startsWith('epoch '));
      expect(epochs).toHaveLength(3);
      expect(epochs[0]).toMatch(/^epoch 1 loss \d\.\d{4} sigma 0\.100 fit-mean \d\.\d{4}$/); // the loop's initial σ, set at train begin
      // The loss held is the fixed-draw loss of the epoch's final weights, not fit's epoch mean.
      const [held, mean] =
        /loss (\S+) sigma \S+ fit-mean (\S+)/
          .exec(epochs[0] ?? '')
          ?.slice(1)
          .map(Number) ?? [];
      expect(held).not.toBe(mean);
      expect(summary.valAccuracy).toBeGreaterThan(0.8);
      expect(summary.lastSigma).not.toBeNull();
    },
  );
});
