/**
 * Hostile input at the command line: flags, config files and CSV files. Every case must end
 * with exit code 2 and one short line on stderr (no stack), and must leave the file system as
 * it was: an existing run directory byte-for-byte, and no half-made run directory that would
 * make a corrected retry fail with "already holds a run".
 *
 * Spawns the built CLI (`npm run build` first), a few at a time.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { freePort } from './support/free-port.js';

const bin = path.resolve('bin/lossband.js');
const POOL = 3;
/** Longest acceptable error line: it names the problem, it does not replay the input. */
const MAX_LINE = 400;

interface Case {
  readonly name: string;
  /** Flags after `run --port 0 --epochs 1 --quiet --out <out>`; `{dir}` is the case's temp dir. */
  readonly args: readonly string[];
  /** Files to create in the case's temp dir first. */
  readonly files?: Readonly<Record<string, string | Buffer>>;
  readonly env?: Readonly<Record<string, string>>;
  /** `existing`: --out is a finished run that must stay byte-for-byte; `fresh`: --out does not exist yet. */
  readonly out: 'existing' | 'fresh';
  readonly message: RegExp;
}

const flag = (name: string, args: readonly string[], message: RegExp): Case => ({
  name: `flag ${name}`,
  args,
  out: 'existing',
  message,
});
const config = (name: string, file: string | Buffer, message: RegExp, ext = 'yaml'): Case => ({
  name: `config ${name}`,
  args: ['--config', `{dir}/c.${ext}`],
  files: { [`c.${ext}`]: file },
  out: 'existing',
  message: new RegExp(`c\\.${ext}(:\\d+:\\d+)?: ${message.source}`),
});
const csv = (name: string, file: string | Buffer, message: RegExp, extra: readonly string[] = []): Case => ({
  name: `csv ${name}`,
  args: ['--data', '{dir}/d.csv', ...extra],
  files: { 'd.csv': file },
  out: 'fresh',
  message: new RegExp(`d\\.csv(:\\d+)?(:\\d+)?: (column "\\w+": )?${message.source}`),
});
const rows = (...lines: string[]): string => lines.join('\n') + '\n';
const aliasBomb = [
  'a: &a [x, x, x, x, x, x, x, x, x, x]',
  ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
].join('\n');

const CASES: readonly Case[] = [
  flag('--epochs word', ['--epochs', 'ten'], /--epochs: not a number: "ten"/),
  flag('--epochs negative', ['--epochs=-5'], /--epochs: Too small/),
  flag('--epochs fraction', ['--epochs', '1.5'], /--epochs: .*int/i),
  flag('--epochs NaN', ['--epochs', 'NaN'], /--epochs: not a number/),
  flag('--epochs Infinity', ['--epochs', 'Infinity'], /--epochs: not a number/),
  flag('--epochs 400 digits', ['--epochs', '9'.repeat(400)], /--epochs: /),
  flag('--epochs fullwidth digits', ['--epochs', '１２'], /--epochs: not a number/),
  flag('--epochs with a fake stack line', ['--epochs', '5\n    at evil (/etc/passwd:1:1)'], /--epochs: not a number/),
  flag('--epochs 100k characters', ['--epochs', 'x'.repeat(100_000)], /--epochs: not a number/),
  flag('--band reversed', ['--band', '0.5:0.1'], /--band: lo must be less than hi/),
  flag('--band one number', ['--band', '0.3'], /--band: expected LO:HI/),
  flag('--band NaN', ['--band', 'NaN:1'], /--band: not a number/),
  flag('--band negative', ['--band=-1:0.4'], /--band: Too small/),
  flag('--band three parts', ['--band', '0.1:0.2:0.3'], /--band: expected LO:HI/),
  flag('--learning-rate 0', ['--learning-rate', '0'], /--learning-rate: Too small/),
  flag('--learning-rate empty', ['--learning-rate', ''], /--learning-rate: not a number/),
  flag('--hidden empty width', ['--hidden', '10,,5'], /--hidden: not a number/),
  flag('--hidden huge width', ['--hidden', '99999999'], /--hidden: Too big/),
  flag('--hidden 100 layers', ['--hidden', Array(100).fill('4').join(',')], /--hidden: Too big/),
  flag('--port too big', ['--port', '70000'], /--port: Too big/),
  flag('--port negative', ['--port=-1'], /--port: Too small/),
  flag('--backend unknown', ['--backend', 'gpu'], /--backend: /),
  flag('--controller unknown', ['--controller', 'magic'], /--controller: /),
  flag('--sigma negative', ['--sigma=-0.1'], /--sigma: Too small/),
  flag('--draws too many', ['--draws', '65'], /--draws: /),
  flag('--test-fraction above 1', ['--test-fraction', '1.5'], /--test-fraction: /),
  flag('--name traversal', ['--name', '../../etc/passwd'], /--name: /),
  flag('--name unicode', ['--name', 'ŝ€crèt\u202e'], /--name: /),
  flag('--name 100k characters', ['--name', 'n'.repeat(100_000)], /--name: /),
  flag('--seed empty', ['--seed='], /--seed: /),
  flag('--host empty', ['--host='], /--host: /),
  flag('--checkpoint-every negative', ['--checkpoint-every=-1'], /--checkpoint-every: Too small/),
  flag('--batch-size 0', ['--batch-size', '0'], /--batch-size: Too small/),
  flag('unknown option', ['--bogus'], /unknown option/),
  flag('--preset unknown', ['--preset', 'evil'], /preset/),
  {
    ...flag('--data missing file', ['--data', '/nonexistent/x.csv'], /\/nonexistent\/x\.csv: no such file/),
    out: 'fresh',
  },
  { ...flag('--data a directory', ['--data', '{dir}'], /: is a directory/), out: 'fresh' },
  { ...flag('--data 5000-character path', ['--data', `{dir}/${'a'.repeat(5000)}.csv`], /\.csv: /), out: 'fresh' },
  {
    name: 'env LOSSBAND_TOKEN with a space',
    args: ['--port', '{port}'],
    env: { LOSSBAND_TOKEN: 'sixteen chars and a space' },
    out: 'fresh',
    message: /LOSSBAND_TOKEN: /,
  },
  {
    name: 'env LOSSBAND_TOKEN too short',
    args: ['--port', '{port}'],
    env: { LOSSBAND_TOKEN: 'short' },
    out: 'fresh',
    message: /LOSSBAND_TOKEN: /,
  },
  {
    name: 'config token too short',
    args: ['--config', '{dir}/c.yaml'],
    files: { 'c.yaml': 'token: short\n' },
    out: 'existing',
    message: /c\.yaml:1:8: token: at least 16 characters/,
  },
  { name: '--out holds a run', args: [], out: 'existing', message: /already holds a run/ },
  {
    name: '--out is a file',
    args: ['--out', '{dir}/file'],
    files: { file: 'precious\n' },
    out: 'fresh',
    message: /--out .*file: /,
  },

  config('syntax error', 'epochs: [1,\n', /.+/),
  config('unknown key', 'epoch: 5\n', /epoch: unknown key/),
  config('negative sigma', 'noise:\n  sigma: -1\n', /noise\.sigma: Too small/),
  config('reversed band', 'band: {lo: 0.5, hi: 0.1}\n', /band\.lo: lo must be less than hi/),
  config('.nan in band', 'band: {lo: .nan, hi: 1}\n', /band\.lo: .*NaN/),
  config('.inf epochs', 'epochs: .inf\n', /epochs: /),
  config('string epochs', 'epochs: "5"\n', /epochs: .*received string/),
  config('__proto__ key', '__proto__:\n  epochs: 3\n', /__proto__: unknown key/),
  config(
    'constructor.prototype in JSON',
    '{"constructor": {"prototype": {"epochs": 3}}}',
    /constructor: unknown key/,
    'json',
  ),
  config('top-level array', '[1, 2]\n', /\(top level\): /),
  config('binary garbage', Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 37 + 11) % 256)), /.+/),
  config('duplicate keys', 'epochs: 1\nepochs: 2\n', /.*unique/i),
  config('alias bomb', aliasBomb + '\n', /.+/),
  config('20,000 nested lists', '['.repeat(20_000) + ']'.repeat(20_000), /.+/),
  config('!!binary value', 'epochs: !!binary aGVsbG8=\n', /epochs: /),
  config('over 1 MiB', `# ${'x'.repeat(1_100_000)}\nepochs: 1\n`, /config larger than 1 MiB/),
  { name: 'config is a directory', args: ['--config', '{dir}'], out: 'existing', message: /not a regular file/ },
  {
    name: 'config missing',
    args: ['--config', '{dir}/none.yaml'],
    out: 'existing',
    message: /none\.yaml: cannot read config \(ENOENT\)/,
  },

  csv('empty', '', /empty file/),
  csv('header only', 'a,b,y\n', /no data rows/),
  csv('word in a cell', rows('a,b,y', '1,2,x', '3,abc,z'), /column "b": not a number: "abc"/),
  csv('NaN cell', rows('a,b,y', '1,NaN,x', '3,4,z'), /not a finite number: "NaN"/),
  csv('Infinity cell', rows('a,b,y', '1,-Infinity,x', '3,4,z'), /not a finite number/),
  csv('1e400 cell', rows('a,b,y', '1,1e400,x', '3,4,z'), /not a finite number/),
  csv('hex cell', rows('a,b,y', '0x10,2,x', '3,4,z'), /not a number: "0x10"/),
  csv('fullwidth digits', rows('a,b,y', '１,2,x', '3,4,z'), /not a number/),
  csv('empty cell', rows('a,b,y', '1,,x', '3,4,z'), /empty cell/),
  csv('ragged row', rows('a,b,y', '1,2,x', '3,z'), /expected 3 fields/),
  csv('unclosed quote', rows('a,b,y', '1,"2,x', '3,4,z'), /a quoted field is never closed/),
  csv('duplicate header', rows('a,a,y', '1,2,x', '3,4,z'), /duplicate column name "a"/),
  csv('one column', rows('y', 'x', 'z'), /need at least one feature column/),
  csv('one class', rows('a,b,y', '1,2,x', '3,4,x'), /only one class/),
  csv('unknown --label', rows('a,b,y', '1,2,x', '3,4,z'), /unknown label column "nope"/, ['--label', 'nope']),
  csv('binary garbage', Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 73 + 5) % 256)), /.+/),
  csv('100k-character cell', rows('a,b,y', `1,${'x'.repeat(100_000)},x`, '3,4,z'), /column "b": not a number/),
];

function pool(size: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    while (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await work();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
const slot = pool(POOL);

function lossband(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, FORCE_COLOR: '0', LOSSBAND_TOKEN: '', ...env }, timeout: 60_000, maxBuffer: 1 << 24 },
      (err, _stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stderr });
      },
    );
  });
}

/** Every file under `dir` with its bytes, for a byte-for-byte comparison. */
function snapshot(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = fs.readFileSync(file).toString('base64');
  }
  return out;
}

/** A finished-looking run directory: what `--out` must never touch. */
function existingRun(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), '{"name":"kept","epochs":2}\n');
  fs.writeFileSync(path.join(dir, 'events.jsonl'), '{"epoch":1,"loss":0.5}\n{"epoch":2,"loss":0.4}\n');
  fs.writeFileSync(path.join(dir, 'summary.json'), '{"state":"finished","epochs":2}\n');
}

describe.concurrent('hostile CLI input', () => {
  it.for(CASES)('$name: exit 2, one line, nothing touched', { timeout: 120_000 }, (c, { expect }) =>
    slot(async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-hostile-'));
      const out = path.join(dir, 'run');
      if (c.out === 'existing') existingRun(out);
      for (const [name, content] of Object.entries(c.files ?? {})) fs.writeFileSync(path.join(dir, name), content);
      const before = snapshot(dir);
      const port = String(await freePort());
      const args = c.args.map((a) => a.replaceAll('{dir}', dir).replaceAll('{port}', port));
      const r = await lossband(['run', '--port', '0', '--epochs', '1', '--quiet', '--out', out, ...args], c.env);
      try {
        const lines = r.stderr.trimEnd().split('\n');
        expect.soft(r.code, r.stderr).toBe(2);
        expect.soft(lines, 'one line on stderr').toHaveLength(1);
        expect.soft(r.stderr).not.toMatch(/^\s+at /m);
        expect.soft(lines[0]?.length ?? 0, 'a short line').toBeLessThanOrEqual(MAX_LINE);
        expect.soft(lines[0]).toMatch(c.message);
        expect.soft(snapshot(dir), 'files intact, no run directory left behind').toEqual(before);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }),
  );
});
