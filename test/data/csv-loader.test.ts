import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsv, parseCsv } from '../../src/data/csv-loader.js';
import { UserError } from '../../src/core/user-error.js';

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lossband-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csvFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The UserError that loading `text` throws; fails the test if it loads. */
function errorOf(text: string, options: { label?: string } = {}): { message: string; exitCode: number } {
  const path = csvFile('t.csv', text);
  try {
    loadCsv(path, options);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    const err = e as UserError;
    expect(err.message).not.toContain('\n');
    return { message: err.message.replace(path, 't.csv'), exitCode: err.exitCode };
  }
  throw new Error('expected loadCsv to throw');
}

describe('loadCsv', () => {
  it('loads numeric features and string labels in sorted class order', () => {
    const ds = loadCsv(csvFile('flowers.csv', 'a,b,kind\n1,2,zeta\n3,4,alpha\n5,6,zeta\n'));
    expect(ds.name).toBe('flowers');
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect(ds.classNames).toEqual(['alpha', 'zeta']);
    expect([ds.rows, ds.features]).toEqual([3, 2]);
    expect([...ds.x]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...ds.y]).toEqual([1, 0, 1]);
  });

  it('handles a BOM, CRLF, blank lines, quoted fields and a quoted header', () => {
    const ds = loadCsv(fixture('pets-crlf-bom.csv'));
    expect(ds.featureNames).toEqual(['height', 'weight, kg']);
    expect(ds.classNames).toEqual(['cat', 'dog', 'mouse']);
    expect(ds.rows).toBe(5);
    expect([...ds.y]).toEqual([0, 1, 0, 1, 2]);
    expect(ds.x[5]).toBeCloseTo(62.5);
  });

  it('sorts integer labels numerically and keeps them as class names', () => {
    const ds = parseCsv('f,y\n1,10\n2,2\n3,1\n4,2\n', 'ints.csv');
    expect(ds.classNames).toEqual(['1', '2', '10']);
    expect([...ds.y]).toEqual([2, 1, 0, 1]);
  });

  it('takes a named label column from the middle', () => {
    const ds = parseCsv('a,label,b\n1,x,2\n3,y,4\n', 'mid.csv', { label: 'label' });
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect([...ds.x]).toEqual([1, 2, 3, 4]);
    expect(ds.classNames).toEqual(['x', 'y']);
  });

  it('accepts exponents, signs and leading dots', () => {
    const ds = parseCsv('a,y\n-1.5e2,p\n+.25,q\n', 'n.csv');
    expect([...ds.x]).toEqual([-150, 0.25]);
  });

  it('loads 100k rows', () => {
    const lines = ['a,b,c,d,y'];
    for (let i = 0; i < 100_000; i++) lines.push(`${i * 0.5},${i % 7},${-i},1.25,${i % 3}`);
    const ds = parseCsv(lines.join('\n'), 'big.csv');
    expect(ds.rows).toBe(100_000);
    expect(ds.x[4 * 99_999 + 2]).toBe(-99_999);
  });
});

describe('loadCsv errors', () => {
  it('names line and column of a non-numeric cell', () => {
    const err = errorOf(
      'sepal_length,sepal_width,petal_length,petal_width,species\n' +
        '5.1,3.5,1.4,0.2,setosa\n'.repeat(5) +
        '5.8,2.7,abc,1.9,virginica\n',
    );
    expect(err.message).toBe('t.csv:7:3: column "petal_length": not a number: "abc"');
    expect(err.exitCode).toBe(2);
  });

  it('names line 7 in the bundled fixture', () => {
    const path = fixture('bad-cell-line7.csv');
    expect(() => loadCsv(path)).toThrow(`${path}:7:3: column "petal_length": not a number: "abc"`);
  });

  it.each([
    ['NaN', 'not a finite number: "NaN"'],
    ['Infinity', 'not a finite number: "Infinity"'],
    ['-inf', 'not a finite number: "-inf"'],
    ['1e999', 'not a finite number: "1e999"'],
    ['0x10', 'not a number: "0x10"'],
  ])('rejects %s', (cell, what) => {
    expect(errorOf(`a,b,y\n1,2,p\n3,${cell},q\n`).message).toBe(`t.csv:3:2: column "b": ${what}`);
  });

  it('rejects an empty cell', () => {
    expect(errorOf('a,b,y\n1,2,p\n,4,q\n').message).toBe('t.csv:3:1: column "a": empty cell');
  });

  it('rejects an empty label', () => {
    expect(errorOf('a,b,y\n1,2,p\n3,4,\n').message).toBe('t.csv:3:3: column "y": empty label');
  });

  it('counts lines past blank lines and CRLF', () => {
    expect(errorOf('a,y\r\n1,p\r\n\r\n\r\nx,q\r\n').message).toBe('t.csv:5:1: column "a": not a number: "x"');
  });

  it('reports the first line of a record whose quoted label spans lines', () => {
    expect(errorOf('a,y\n1,p\nbad,"two\nlines"\n').message).toBe('t.csv:3:1: column "a": not a number: "bad"');
  });

  it('rejects a ragged row', () => {
    expect(errorOf('a,b,y\n1,2,p\n3,q\n').message).toBe('t.csv:3: expected 3 fields as in the header, found 2');
    expect(errorOf('a,b,y\n1,2,p,9\n').message).toBe('t.csv:2: expected 3 fields as in the header, found 4');
  });

  it('rejects an empty file', () => {
    expect(errorOf('').message).toBe('t.csv: empty file, expected a header row');
    expect(errorOf('\n \r\n').message).toBe('t.csv: empty file, expected a header row');
  });

  it('rejects a header without rows', () => {
    expect(errorOf('a,b,y\n').message).toBe('t.csv: no data rows after the header');
  });

  it('rejects a single class', () => {
    expect(errorOf('a,y\n1,p\n2,p\n').message).toBe(
      't.csv: column "y": only one class ("p"); a classifier needs at least 2',
    );
  });

  it('rejects an unknown label column, listing the columns', () => {
    expect(errorOf('a,b,y\n1,2,p\n', { label: 'species' }).message).toBe(
      't.csv:1: unknown label column "species"; available columns: "a", "b", "y"',
    );
  });

  it('rejects a one-column header, empty and duplicate names', () => {
    expect(errorOf('y\np\n').message).toBe(
      't.csv:1: need at least one feature column and a label column, found 1 column',
    );
    expect(errorOf('a,,y\n1,2,p\n').message).toBe('t.csv:1:2: empty column name in the header');
    expect(errorOf('a,b,a\n1,2,p\n').message).toBe('t.csv:1:3: duplicate column name "a" (also column 1)');
  });

  it('rejects an unclosed quote with its line', () => {
    expect(errorOf('a,y\n1,p\n2,"q\n3,r\n').message).toMatch(/^t\.csv:\d+: a quoted field is never closed$/);
    expect(errorOf('a,y\n1,p\n2,q"x"\n').message).toBe('t.csv:3: a quote inside an unquoted field');
  });

  it('rejects a missing file and a directory', () => {
    const missing = join(dir, 'nope.csv');
    expect(() => loadCsv(missing)).toThrow(new UserError(`${missing}: no such file`));
    const sub = join(dir, 'sub.csv');
    mkdirSync(sub);
    expect(() => loadCsv(sub)).toThrow(new UserError(`${sub}: is a directory, expected a file`));
  });
});

describe('loadCsv input checks (issue 11)', () => {
  it('refuses a cell finite in float64 but infinite in float32, naming file:line:column and column', () => {
    const f = csvFile('f32.csv', 'a,b,y\n1,2,x\n3,-1e39,z\n');
    expect(() => loadCsv(f)).toThrow(
      new UserError(`${f}:3:2: column "b": "-1e39" is too large for float32 (|x| ≤ 3.4e38)`),
    );
    expect(loadCsv(csvFile('f32max.csv', 'a,b,y\n1,3.4e38,x\n3,1e-50,z\n')).x[1]).toBeCloseTo(3.4e38, -32);
  });

  it('records the origin of the file and refuses a sha256 that does not match', () => {
    const f = csvFile('origin.csv', 'a,y\n1,x\n2,z\n');
    const ds = loadCsv(f);
    expect(ds.origin?.path).toBe(f);
    expect(ds.origin?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loadCsv(f, { sha256: ds.origin?.sha256 }).rows).toBe(2);
    expect(() => loadCsv(f, { sha256: 'f'.repeat(64) })).toThrow(
      `${f}: sha256 ${ds.origin?.sha256.slice(0, 12)}… does not match data.sha256 ffffffffffff…`,
    );
  });
});
