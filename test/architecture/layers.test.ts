import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const LAYERS = (createRequire(import.meta.url)(CONFIG) as { LAYERS: Record<string, string[]> }).LAYERS;
const DEPCRUISE = path.join(ROOT, 'node_modules/.bin/depcruise');

/** Runs dependency-cruiser with the project's rules on the `src/` of `dir`; returns its exit code and report. */
function cruise(dir: string): { status: number | null; output: string } {
  const run = spawnSync(DEPCRUISE, ['src', '--config', CONFIG, '--output-type', 'err'], { cwd: dir, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A scratch project holding `files` (path → source) and the project's tsconfig. */
function scratch(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-layers-'));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  );
  for (const [file, source] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), source);
  }
  return dir;
}

describe('the layer table', () => {
  it('is a DAG: every folder can be placed above all it imports', () => {
    const placed = new Set<string>();
    let progress = true;
    while (progress) {
      progress = false;
      for (const [layer, deps] of Object.entries(LAYERS)) {
        if (!placed.has(layer) && deps.every((d) => placed.has(d))) {
          placed.add(layer);
          progress = true;
        }
      }
    }
    expect([...placed].sort()).toEqual(Object.keys(LAYERS).sort());
  });

  it('names only folders it lists, and lists every folder of src/', () => {
    for (const deps of Object.values(LAYERS)) for (const d of deps) expect(Object.keys(LAYERS)).toContain(d);
    const folders = fs
      .readdirSync(path.join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    for (const folder of folders) expect(Object.keys(LAYERS), `src/${folder}/ has a row`).toContain(folder);
  });

  it('is described in ARCHITECTURE.md, row by row', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf8');
    for (const layer of Object.keys(LAYERS))
      expect(doc, `ARCHITECTURE.md mentions src/${layer}/`).toContain(`src/${layer}/`);
  });
});

describe('dependency rule (dependency-cruiser, run by npm test)', () => {
  it('passes on the project as it is', () => {
    expect(() => execFileSync(DEPCRUISE, ['src', '--config', CONFIG], { cwd: ROOT, encoding: 'utf8' })).not.toThrow();
  });

  it('refuses an upward relative import', () => {
    const dir = scratch({
      'src/core/band.ts': "import { x } from '../run/session.js';\nexport const y = x;\n",
      'src/run/session.ts': 'export const x = 1;\n',
    });
    const { status, output } = cruise(dir);
    expect(status).not.toBe(0);
    expect(output).toMatch(/layer-core: src\/core\/band\.ts → src\/run\/session\.ts/);
  });

  it('refuses a sideways import between peers', () => {
    const dir = scratch({
      'src/control/pid.ts': "import { d } from '../data/iris.js';\nexport const p = d;\n",
      'src/data/iris.ts': 'export const d = 1;\n',
    });
    expect(cruise(dir).output).toMatch(/layer-control/);
  });

  it('keeps the controllers pure and refuses a folder without a row', () => {
    const dir = scratch({
      'src/control/pid.ts': "import fs from 'node:fs';\nexport const p = fs;\n",
      'src/gadgets/thing.ts': "import { p } from '../control/pid.js';\nexport const t = p;\n",
    });
    const { output } = cruise(dir);
    expect(output).toMatch(/control-is-pure/);
    expect(output).toMatch(/unknown-folder/);
  });

  it('refuses a cycle inside a folder', () => {
    const dir = scratch({
      'src/run/a.ts': "import { b } from './b.js';\nexport const a = (): number => b();\n",
      'src/run/b.ts': "import { a } from './a.js';\nexport const b = (): number => a();\n",
    });
    expect(cruise(dir).output).toMatch(/no-circular/);
  });
});
