import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { InfoRecord } from 'csv-parse/sync';
import { quote, UserError } from '../core/user-error.js';
import type { Dataset } from './dataset.js';
import { readDataFile } from './read-data-file.js';

/** Options of {@link loadCsv}. */
export interface CsvLoadOptions {
  /** Header name of the label column. Defaults to the last column. */
  readonly label?: string | undefined;
  /** `Dataset.name`. Defaults to the file's base name without its extension. */
  readonly name?: string | undefined;
  /** SHA-256 (hex) the file must have, e.g. the one a run recorded when it started. Defaults to none (any content). */
  readonly sha256?: string | undefined;
}

/** A decimal number: what spreadsheets and pandas write. Excludes hex, `NaN`, `Infinity`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
const INTEGER = /^[+-]?\d+$/;

interface Row {
  readonly record: string[];
  readonly info: InfoRecord;
}

/**
 * Loads a classification table from a CSV file with a header row.
 *
 * The file must be a regular file of at most 256 MiB in UTF-8 (see `readDataFile`); its
 * origin (absolute path, SHA-256) is returned as `Dataset.origin`. Every column except the
 * label column must hold decimal numbers finite as float32. Labels may be
 * strings or integers; classes are their distinct values in sorted order (numeric order
 * when all are integers), and `classNames` holds them as written. CRLF, a BOM, quoted
 * fields, blank lines and a trailing newline are accepted. Any problem is a one-line
 * {@link UserError} naming `file:line:column` — the header is line 1.
 *
 * @example
 * const ds = loadCsv('flowers.csv', { label: 'species' });
 * // bad cell → UserError('flowers.csv:7:3: column "petal_length": not a number: "abc"')
 */
export function loadCsv(path: string, options: CsvLoadOptions = {}): Dataset {
  const { text, origin } = readDataFile(path);
  if (options.sha256 !== undefined && origin.sha256 !== options.sha256) {
    throw new UserError(
      `${path}: sha256 ${origin.sha256.slice(0, 12)}… does not match data.sha256 ${options.sha256.slice(0, 12)}…: the file changed since the run recorded it; restore it or start a new run`,
    );
  }
  return { ...parseCsv(text, path, { ...options, name: options.name ?? basename(path, extname(path)) }), origin };
}

/**
 * {@link loadCsv} on text already in memory; `source` names it in error messages.
 *
 * @example
 * parseCsv('a,b,y\n1,2,x\n3,4,z\n', 'inline.csv').rows; // 2
 */
export function parseCsv(text: string, source: string, options: CsvLoadOptions = {}): Dataset {
  if (text.trim() === '') throw new UserError(`${source}: empty file, expected a header row`);
  const rows = parseRows(text, source);
  const header = rows[0]?.record ?? [];
  checkHeader(header, source);
  const labelCol = labelColumn(header, source, options.label);
  const body = rows.length - 1;
  if (body === 0) throw new UserError(`${source}: no data rows after the header`);

  const features = header.length - 1;
  const x = new Float32Array(body * features);
  const labels = new Array<string>(body);
  for (let r = 0; r < body; r++) {
    const row = rows[r + 1] as Row;
    const { record } = row;
    if (record.length !== header.length) {
      throw new UserError(
        `${source}:${startLine(row)}: expected ${header.length} fields as in the header, found ${record.length}`,
      );
    }
    let k = r * features;
    for (let c = 0; c < record.length; c++) {
      const cell = record[c] as string;
      if (c === labelCol) {
        if (cell === '') throw cellError(source, row, c, header, 'empty label');
        labels[r] = cell;
      } else {
        x[k++] = parseCell(cell, source, row, c, header);
      }
    }
  }

  const { classNames, y } = encodeLabels(labels, source, header[labelCol] as string);
  return {
    name: options.name ?? basename(source, extname(source)),
    featureNames: header.filter((_, c) => c !== labelCol),
    classNames,
    rows: body,
    features,
    x,
    y,
  };
}

function parseRows(text: string, source: string): Row[] {
  try {
    return parse(text, {
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as unknown as Row[];
  } catch (error) {
    const e = error as { code?: string; lines?: number; message?: string };
    const what =
      e.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted field is never closed'
        : e.code === 'INVALID_OPENING_QUOTE'
          ? 'a quote inside an unquoted field'
          : e.code === 'CSV_INVALID_CLOSING_QUOTE'
            ? 'text after a closing quote'
            : `malformed CSV: ${e.message ?? String(error)}`;
    throw new UserError(e.lines === undefined ? `${source}: ${what}` : `${source}:${e.lines}: ${what}`);
  }
}

function checkHeader(header: readonly string[], source: string): void {
  const seen = new Map<string, number>();
  header.forEach((name, c) => {
    if (name === '') throw new UserError(`${source}:1:${c + 1}: empty column name in the header`);
    const first = seen.get(name);
    if (first !== undefined) {
      throw new UserError(`${source}:1:${c + 1}: duplicate column name "${name}" (also column ${first + 1})`);
    }
    seen.set(name, c);
  });
  if (header.length < 2) {
    throw new UserError(
      `${source}:1: need at least one feature column and a label column, found ${header.length} column`,
    );
  }
}

function labelColumn(header: readonly string[], source: string, label: string | undefined): number {
  if (label === undefined) return header.length - 1;
  const c = header.indexOf(label);
  if (c < 0) {
    const available = header.map((h) => `"${h}"`).join(', ');
    throw new UserError(`${source}:1: unknown label column "${label}"; available columns: ${available}`);
  }
  return c;
}

function parseCell(cell: string, source: string, row: Row, c: number, header: readonly string[]): number {
  if (DECIMAL.test(cell)) {
    const v = Number(cell);
    if (!Number.isFinite(v)) throw cellError(source, row, c, header, `not a finite number: ${quote(cell)}`);
    // Features are float32: 1e39 is finite here but Infinity there, and would poison training.
    if (!Number.isFinite(Math.fround(v)))
      throw cellError(source, row, c, header, `${quote(cell)} is too large for float32 (|x| ≤ 3.4e38)`);
    return v;
  }
  if (cell === '') throw cellError(source, row, c, header, 'empty cell');
  if (NON_FINITE.test(cell)) throw cellError(source, row, c, header, `not a finite number: ${quote(cell)}`);
  throw cellError(source, row, c, header, `not a number: ${quote(cell)}`);
}

function cellError(source: string, row: Row, c: number, header: readonly string[], what: string): UserError {
  return new UserError(`${source}:${startLine(row)}:${c + 1}: column ${quote(header[c] ?? '')}: ${what}`);
}

/** csv-parse reports the line a record ends on; a quoted field with newlines starts earlier. */
function startLine(row: Row): number {
  let newlines = 0;
  for (const field of row.record) {
    for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) newlines++;
  }
  return row.info.lines - newlines;
}

function encodeLabels(
  labels: readonly string[],
  source: string,
  column: string,
): { classNames: string[]; y: Int32Array } {
  const distinct = [...new Set(labels)];
  if (distinct.every((l) => INTEGER.test(l))) {
    distinct.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  } else {
    distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  if (distinct.length < 2) {
    throw new UserError(
      `${source}: column "${column}": only one class ("${distinct[0]}"); a classifier needs at least 2`,
    );
  }
  const index = new Map(distinct.map((l, i) => [l, i]));
  const y = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) y[i] = index.get(labels[i] as string) as number;
  return { classNames: distinct, y };
}
