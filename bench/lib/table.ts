/** One line of the bench table. */
export interface Row {
  /** Section number and name, e.g. `1 overhead`. */
  readonly section: string;
  readonly what: string;
  /** The measured result, formatted. */
  readonly result: string;
  /** The target, formatted; empty when there is none. */
  readonly target?: string;
  /** Whether the target was met; `undefined` when there is no target or it was skipped. */
  readonly ok?: boolean | undefined;
  /** Context: A/B medians, what was not wired, why a row was skipped. */
  readonly note?: string;
}

/** What a section hands back: its table rows and the raw numbers for the JSON file. */
export interface SectionResult {
  readonly rows: Row[];
  readonly data: Record<string, unknown>;
}

/** Formats a number with `digits` significant-ish decimals for a table cell. */
export function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  return abs >= 100 ? x.toFixed(0) : abs >= 10 ? x.toFixed(Math.max(0, digits - 1)) : x.toFixed(digits);
}

/** Renders the rows as one aligned plain-text table. */
export function renderTable(rows: readonly Row[]): string {
  const head = ['section', 'measurement', 'result', 'target', 'ok', 'note'];
  const cells = rows.map((r) => [
    r.section,
    r.what,
    r.result,
    r.target ?? '',
    r.ok === undefined ? '–' : r.ok ? 'yes' : 'NO',
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]): string =>
    c
      .map((s, i) => s.padEnd(widths[i] as number))
      .join(' | ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}
