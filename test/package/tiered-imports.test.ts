import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../integration/support/free-port.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RECORDER = path.join(import.meta.dirname, 'record-imports.mjs');

/** npm packages a fresh Node process loads for `import(specifier)` of the built package (self-reference). */
function packagesLoadedBy(specifier: string): string[] {
  return packagesIn(
    execFileSync(
      process.execPath,
      ['--import', RECORDER, '--input-type=module', '-e', `await import(${JSON.stringify(specifier)})`],
      { cwd: ROOT, encoding: 'utf8' },
    ),
  );
}

/** The npm packages named in the recorder's output (its main thread's imports; not its workers'). */
function packagesIn(out: string): string[] {
  const urls = JSON.parse(out.slice(out.lastIndexOf('__IMPORTS__') + '__IMPORTS__'.length)) as string[];
  const names = new Set<string>();
  for (const url of urls) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) names.add(m[1] as string);
  }
  return [...names].sort();
}

const tfjs = (p: string): boolean => p.startsWith('@tensorflow/');
const vega = (p: string): boolean => /^vega/.test(p);
const express = (p: string): boolean => p === 'express';

// Issue 10: importing the package took 7-8 s because tfjs, vega and express loaded eagerly.
describe('tiered imports (the built package, by its own name)', () => {
  it("import 'lossband' loads no tfjs, vega or express", () => {
    const loaded = packagesLoadedBy('lossband');
    expect(loaded).toContain('rxjs');
    expect(loaded.filter((p) => tfjs(p) || vega(p) || express(p))).toEqual([]);
  });

  it("'lossband/server' loads express but no tfjs or vega; 'lossband/report' loads vega but no tfjs or express", () => {
    const server = packagesLoadedBy('lossband/server');
    expect(server).toContain('express');
    expect(server.filter((p) => tfjs(p) || vega(p))).toEqual([]);
    const report = packagesLoadedBy('lossband/report');
    expect(report.some(vega)).toBe(true);
    expect(report.filter((p) => tfjs(p) || express(p))).toEqual([]);
  });

  it('a model.fit run with bandCallback, its server and report.svg loads neither express, vega nor rxjs on the training thread', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lossband-imports-'));
    try {
      const out = path.join(dir, 'run');
      const port = String(await freePort());
      const printed = execFileSync(
        process.execPath,
        ['--import', RECORDER, path.join(import.meta.dirname, 'fit-with-callback.mjs')],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, OUT: out, PORT: port },
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      const loaded = packagesIn(printed);
      expect(loaded).toContain('@tensorflow/tfjs-layers');
      expect(loaded).toContain('prom-client'); // the run layer did load: metrics for the server thread
      // express loads on the server thread once a request comes, vega on the report thread.
      expect(loaded.filter((p) => vega(p) || express(p) || p === 'rxjs')).toEqual([]);
      expect(existsSync(path.join(out, 'report.svg'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("'lossband/tfjs' loads tfjs (and neither vega nor express)", () => {
    const loaded = packagesLoadedBy('lossband/tfjs');
    expect(loaded.some(tfjs)).toBe(true);
    expect(loaded.filter((p) => vega(p) || express(p))).toEqual([]);
  });
});
