import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/user-error.js';
import { expandSweep } from '../../src/sweep/expand-sweep.js';
import { parseSweep } from '../../src/sweep/parse-sweep.js';
import { planPoint } from '../../src/sweep/plan-point.js';
import { pointConfig } from '../../src/sweep/point-config.js';

const server = { port: 9464, host: '127.0.0.1' };
const points = expandSweep(parseSweep('name: p\nbase:\n  epochs: 50\ngrid:\n  seed: [1, 2]\n', 'p.yaml'));

function setup() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-plan-'));
  const config = pointConfig(points[0]!, out, server);
  const write = (file: string, json: unknown): void => {
    fs.mkdirSync(config.out, { recursive: true });
    fs.writeFileSync(path.join(config.out, file), JSON.stringify(json));
  };
  return { out, config, write };
}

describe('planPoint', () => {
  it('is fresh for a directory that does not exist or holds no config.json', () => {
    const { config } = setup();
    expect(planPoint(config)).toEqual({ kind: 'fresh' });
    fs.mkdirSync(config.out, { recursive: true });
    expect(planPoint(config)).toEqual({ kind: 'fresh' });
  });

  it('resumes a started run, and one that ended stopped or finished short of its epochs', () => {
    const { config, write } = setup();
    write('config.json', config);
    expect(planPoint(config)).toMatchObject({ kind: 'resume' });
    write('summary.json', { state: 'stopped', epochs: 20 });
    expect(planPoint(config)).toMatchObject({ kind: 'resume' });
    write('summary.json', { state: 'finished', epochs: 20 });
    expect(planPoint(config)).toMatchObject({ kind: 'resume' });
  });

  it('leaves a run that finished all its epochs or diverged', () => {
    const { config, write } = setup();
    write('config.json', config);
    write('summary.json', { state: 'finished', epochs: 50 });
    expect(planPoint(config)).toEqual({ kind: 'done', state: 'finished' });
    write('summary.json', { state: 'diverged', epochs: 9 });
    expect(planPoint(config)).toEqual({ kind: 'done', state: 'diverged' });
  });

  it('accepts another out or server (where a run lives and is served), nothing else', () => {
    const { config, write } = setup();
    write('config.json', { ...config, out: '/elsewhere/p-0-seed1', server: { port: 0, host: '0.0.0.0' } });
    expect(planPoint(config)).toMatchObject({ kind: 'resume' });
    write('config.json', { ...config, seed: 2 });
    expect(() => planPoint(config)).toThrow(UserError);
    expect(() => planPoint(config)).toThrow(
      `${path.join(config.out, 'config.json')}: holds run p-0-seed1 with another config (seed differs); remove ${config.out} or choose another --out`,
    );
    write('config.json', { ...config, model: { ...config.model, hidden: [3] } });
    expect(() => planPoint(config)).toThrow('(model.hidden differs)');
  });

  it('resumes with what the run recorded of its data (absolute CSV path, SHA-256), and ignores it when comparing', () => {
    const csv = path.join(os.tmpdir(), 'lossband-plan-data.csv');
    const rel = path.relative(process.cwd(), csv);
    const point = expandSweep(
      parseSweep(
        `name: p\nbase:\n  epochs: 50\n  data: { path: ${JSON.stringify(rel)} }\ngrid:\n  seed: [1]\n`,
        'p.yaml',
      ),
    )[0]!;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-plan-'));
    const config = pointConfig(point, out, server);
    const sha256 = 'a'.repeat(64);
    fs.mkdirSync(config.out, { recursive: true });
    fs.writeFileSync(
      path.join(config.out, 'config.json'),
      JSON.stringify({ ...config, data: { ...config.data, path: csv, sha256 } }),
    );
    const plan = planPoint(config);
    expect(plan.kind).toBe('resume');
    expect(plan.kind === 'resume' && plan.config.data).toMatchObject({ path: csv, sha256 });
    // Another file is another experiment.
    fs.writeFileSync(
      path.join(config.out, 'config.json'),
      JSON.stringify({ ...config, data: { ...config.data, path: '/elsewhere.csv', sha256 } }),
    );
    expect(() => planPoint(config)).toThrow('(data.path differs)');
  });

  it('names a damaged file in one line', () => {
    const { config } = setup();
    fs.mkdirSync(config.out, { recursive: true });
    fs.writeFileSync(path.join(config.out, 'config.json'), '{');
    expect(() => planPoint(config)).toThrow(`${path.join(config.out, 'config.json')}: cannot read (not valid JSON)`);
  });
});

describe('pointConfig', () => {
  it('puts each point in <out>/<name> with the sweep server, deterministically', () => {
    const a = pointConfig(points[1]!, 'runs/p', server);
    expect(a).toMatchObject({ name: 'p-1-seed2', seed: 2, epochs: 50, out: path.join('runs/p', 'p-1-seed2'), server });
    expect(pointConfig(points[1]!, 'runs/p', server)).toEqual(a);
  });
});
