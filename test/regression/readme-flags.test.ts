import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** Flags named in the first cell of the README's flag table. */
function readmeFlags(): string[] {
  const rows = readme.split('\n').filter((l) => /^\| `--/.test(l));
  return [
    ...new Set(rows.flatMap((r) => [...(r.split('|')[1] ?? '').matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))),
  ].sort();
}

/** Flags `lossband run --help` lists (the built CLI). */
function helpFlags(): string[] {
  const help = execFileSync(process.execPath, [path.join(ROOT, 'bin/lossband.js'), 'run', '--help'], {
    encoding: 'utf8',
  });
  return [...new Set([...help.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1] as string))]
    .filter((f) => f !== '--help')
    .sort();
}

// Issue 11, item 8: the README's flag table and defaults disagreed with the code.
describe("the README's flag table", () => {
  it('lists exactly the flags of lossband run --help', () => {
    expect(readmeFlags()).toEqual(helpFlags());
  });

  it('quotes the defaults the default preset really has', () => {
    const config = resolveConfig([], new Date(0));
    const row = (key: string): string => readme.split('\n').find((l) => l.includes(`\`${key}\``)) ?? '';
    expect(row('noise.min')).toContain(`\`${config.noise.min}\``);
    expect(row('noise.min')).toContain(`\`${config.noise.max}\``);
    expect(row('epochs')).toContain(`\`${config.epochs}\``);
    expect(row('checkpointEvery')).toContain(`\`${config.checkpointEvery}\``);
    expect(row('server.port')).toContain(`\`${config.server.port}\``);
    expect(readme).toContain(
      `--band LO:HI\` | \`band: {lo, hi}\` | \`${config.band.lo.toFixed(2)}:${config.band.hi.toFixed(2)}\``,
    );
  });

  it('names the token minimum the API enforces', () => {
    expect(readme).toMatch(/16[–-]256 printable ASCII characters/);
  });
});
