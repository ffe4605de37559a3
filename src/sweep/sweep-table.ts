import type { SweepRow } from './sweep-results.js';

const fixed = (x: number | null, digits: number): string => (x === null ? '—' : x.toFixed(digits));
const pct = (x: number | null): string => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);

/**
 * The table a sweep prints at its end (also with `--quiet`): one line per point with its
 * state and main figures, then one line per failed point saying why.
 *
 * @example
 * process.stdout.write(formatSweepTable(rows));
 */
export function formatSweepTable(rows: readonly SweepRow[]): string {
  const header = ['#', 'run', 'state', 'epochs', 'final loss', 'in band', 'test acc', 'wall s'];
  const body = rows.map((r) => [
    String(r.index),
    r.name,
    r.state,
    r.epochs === null ? '—' : String(r.epochs),
    fixed(r.finalLoss, 4),
    pct(r.inBandFraction),
    pct(r.testAccuracy),
    fixed(r.wallSeconds, 1),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((line) => (line[c] as string).length)));
  // Text columns left, numbers right.
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c <= 2 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number)))
      .join('  ')
      .trimEnd();
  const failures = rows
    .filter((r) => r.state === 'failed')
    .map((r) => `  ${r.index} ${r.name}: ${r.error ?? 'failed'}`);
  return [render(header), ...body.map(render), ...(failures.length ? ['failed:', ...failures] : [])].join('\n') + '\n';
}
