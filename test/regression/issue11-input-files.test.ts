import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/lossband.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-input-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** `lossband run args…` (no server, quiet); resolves with the exit code and output. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, 'run', '--port', '0', '--quiet', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // Not a pass condition: input that hangs the loader (the defect) must not outlive the test.
  const reaper = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(reaper);
      resolve({ code, stdout, stderr });
    }),
  );
}

const csvFile = (name: string, content: string | Buffer): string => {
  const file = path.join(root, name);
  fs.writeFileSync(file, content);
  return file;
};
const irisLike = (rows: string[]): string => ['a,b,c,d,kind', ...rows].join('\n') + '\n';
const outDir = (name: string): string => path.join(fs.mkdtempSync(path.join(root, `${name}-`)), 'r');

/** Exit 2 with exactly `line` on stderr, and no run directory written. */
async function refused(args: string[], line: RegExp, out = outDir('refused')): Promise<void> {
  const r = await run([...args, '--out', out]);
  expect(r.stderr).toMatch(line);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.code).toBe(2);
  expect(fs.existsSync(path.join(out, 'config.json'))).toBe(false);
}

// Issue 11, items 15 and 16: data files and model sizes that were not refused up front.
describe('input files and model sizes are checked before anything starts', () => {
  it('refuses /dev/zero and a FIFO as --data at once, naming the file', async () => {
    await refused(
      ['--data', '/dev/zero'],
      /^lossband: \/dev\/zero: is a character device, not a regular file; a data file must be a CSV file\n$/,
    );
    const fifo = path.join(root, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    await refused(
      ['--data', fifo],
      new RegExp(`^lossband: ${fifo}: is a FIFO, not a regular file; a data file must be a CSV file\\n$`),
    );
  });

  it('refuses a data file over the 256 MiB limit without reading it', async () => {
    const big = path.join(root, 'big.csv');
    fs.writeFileSync(big, 'a,b,kind\n');
    fs.truncateSync(big, 304 * 1024 * 1024); // sparse: no disk used
    await refused(
      ['--data', big],
      new RegExp(`^lossband: ${big}: 304 MiB is over the 256 MiB limit for data files\\n$`),
    );
  });

  it('refuses a cell that overflows float32 (1e39), naming file:line:column and the column', async () => {
    const file = csvFile('overflow.csv', irisLike(['1,2,3,4,x', '1,2,3,4,y', '5,6,1e39,8,x', '1,1,1,1,y']));
    await refused(
      ['--data', file],
      new RegExp(`^lossband: ${file}:4:3: column "c": "1e39" is too large for float32 \\(\\|x\\| ≤ 3\\.4e38\\)\\n$`),
    );
  });

  it('refuses labels that are not UTF-8 (caf\\xe9 and caf\\xe8 would merge into one class), naming file:line', async () => {
    const file = csvFile(
      'latin1.csv',
      Buffer.concat([
        Buffer.from('a,b,kind\n1,2,tea\n3,4,caf'),
        Buffer.from([0xe9]),
        Buffer.from('\n5,6,caf'),
        Buffer.from([0xe8]),
        Buffer.from('\n'),
      ]),
    );
    await refused(
      ['--data', file],
      new RegExp(`^lossband: ${file}:3:8: not valid UTF-8 \\(byte 0xe9\\); save the file as UTF-8\\n$`),
    );
  });

  it('refuses --hidden 65536,65536 with its parameter count and leaves nothing behind, so the corrected retry runs', async () => {
    const out = outDir('hidden');
    await refused(
      ['--hidden', '65536,65536', '--epochs', '5'],
      /^lossband: model\.hidden: the 4-65536-65536-3 network has 4,295,557,123 parameters, over the limit of 100,000,000; use narrower layers\n$/,
      out,
    );
    const retry = await run(['--hidden', '16,16', '--epochs', '5', '--out', out]);
    expect(retry.stderr).toBe('');
    expect(retry.code).toBe(0);
  });

  it('refuses a model whose epoch does not fit the wasm engine’s memory, before building it', async () => {
    await refused(
      ['--data', 'blobs:8192x128x3', '--hidden', '4096', '--draws', '8', '--backend', 'wasm', '--epochs', '1'],
      /^lossband: model\.hidden: the 128-4096-3 network needs about \d+\.\d GiB per epoch on wasm, over the \d+\.\d GiB it may use; use narrower layers, fewer --draws or a --batch-size\n$/,
    );
  });
});
