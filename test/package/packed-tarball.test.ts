import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../integration/support/free-port.js';
import { waitFor } from '../integration/support/wait-for.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'scratch-project-token-0123456789';

/**
 * The whole of a new user's code: their own tfjs model, trained with model.fit, holding its
 * MSE in a band; resumed from its run directory when there is one. Under 20 lines.
 */
const USER_CODE = `import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { bandCallback, controlledNoise } from 'lossband/tfjs';

const x = tf.randomNormal([1024, 4], 0, 1, 'float32', 7);
const y = x.sum(1, true);
const model = tf.sequential({ layers: [controlledNoise({ inputShape: [4] }), tf.layers.dense({ units: 16, activation: 'relu' }), tf.layers.dense({ units: 1 })] });
model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
const cb = bandCallback({ band: { lo: 0.2, hi: 0.3 }, run: 'mine', out: 'runs/mine', port: Number(process.env.PORT), checkpointEvery: 10, resume: fs.existsSync('runs/mine/config.json') });
await model.fit(x, y, { epochs: Number(process.env.EPOCHS), initialEpoch: await cb.restore(model), batchSize: 128, callbacks: [cb], verbose: 0 });
console.log(JSON.stringify(cb.summary));
`;

/** Type-checks every entry point's declarations, as a consumer compiling without skipLibCheck would. */
const CONSUMER_TS = `import { train, LoopActuator, JsPlant, irisSeedSplit, RunHost, type EpochEvent } from 'lossband';
import { bandCallback, controlledNoise, TfjsModelPlant } from 'lossband/tfjs';
import { createApp } from 'lossband/server';
import { renderReportSvg } from 'lossband/report';
const plant = new JsPlant({ split: irisSeedSplit() });
const e: EpochEvent | undefined = undefined;
export { train, LoopActuator, plant, RunHost, e, bandCallback, controlledNoise, TfjsModelPlant, createApp, renderReportSvg };
`;

let project: string;

beforeAll(() => {
  // npm test has built dist/ already; pack exactly what `npm publish` would ship.
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-pack-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', ROOT, '--ignore-scripts', '--json', '--pack-destination', packDir], {
      encoding: 'utf8',
    }),
  ) as { filename: string }[];
  const tarball = path.join(packDir, packed[0]?.filename ?? '');
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-scratch-'));
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
  );
  execFileSync(
    'npm',
    [
      'install',
      tarball,
      '@tensorflow/tfjs@4.22.0',
      'typescript@5.9',
      '@types/node@20',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--omit=optional',
      '--ignore-scripts',
    ],
    {
      cwd: project,
      stdio: 'ignore',
    },
  );
  fs.writeFileSync(path.join(project, 'train.mjs'), USER_CODE);
}, 600_000);

/** Starts the user's program; resolves its exit code and output. */
function runUserCode(env: Record<string, string>) {
  const child = spawn(process.execPath, ['train.mjs'], {
    cwd: project,
    env: { ...process.env, LOSSBAND_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => out };
}

/** The value of `name{run="mine"}` on the live /metrics, if present. */
async function scrape(port: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name}\\{run="mine"\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

const events = (): { epoch: number }[] =>
  fs
    .readFileSync(path.join(project, 'runs/mine/events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { epoch: number });

describe('the packed tarball in a scratch project (issue 10)', () => {
  it('is used by user code of under 20 lines', () => {
    expect(USER_CODE.trim().split('\n').length).toBeLessThan(20);
  });

  it('publishes .d.ts files that compile in a consumer without skipLibCheck (errors only inside third-party typings)', () => {
    fs.writeFileSync(path.join(project, 'consumer.ts'), CONSUMER_TS);
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    let output = '';
    try {
      execFileSync(path.join(project, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: project, encoding: 'utf8' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    const errorFiles = [...output.matchAll(/^(\S+?)\(\d+,\d+\): error/gm)].map((m) => m[1] as string);
    const ours = errorFiles.filter((f) => f.includes('node_modules/lossband/') || f === 'consumer.ts');
    expect(ours, output).toEqual([]);
  });

  it('trains the model in band, answers /metrics and the API while it trains, is killed and resumes', async () => {
    const port = await freePort();
    const first = runUserCode({ PORT: String(port), EPOCHS: '100000' });
    const context = { context: first.output, timeoutMs: 120_000 };
    // /metrics answers while model.fit runs.
    await waitFor(
      '20 epochs on /metrics',
      async () => ((await scrape(port, 'lossband_epoch')) ?? 0) >= 20 || undefined,
      context,
    );
    const put = await fetch(`http://127.0.0.1:${port}/api/runs/mine/band`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ lo: 0.4, hi: 0.5 }),
    });
    expect(put.status).toBe(200);
    await waitFor(
      'the new band on /metrics',
      async () => ((await scrape(port, 'lossband_band_lower')) === 0.4 ? true : undefined),
      context,
    );
    await waitFor(
      'a checkpoint',
      () => (fs.existsSync(path.join(project, 'runs/mine/checkpoint.json')) ? true : undefined),
      context,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    // Events are fsynced before each checkpoint, so the file covers at least the checkpoint's epochs.
    const checkpointEpoch = (
      JSON.parse(fs.readFileSync(path.join(project, 'runs/mine/checkpoint.json'), 'utf8')) as { epoch: number }
    ).epoch;
    const before = events().length;
    expect(before).toBeGreaterThanOrEqual(checkpointEpoch);

    const total = before + 150;
    const second = runUserCode({ PORT: '0', EPOCHS: String(total) });
    const { code } = await second.exited;
    expect(code, second.output()).toBe(0);
    expect(events().map((e) => e.epoch)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const summary = JSON.parse(fs.readFileSync(path.join(project, 'runs/mine/summary.json'), 'utf8'));
    expect(summary).toMatchObject({ run: 'mine', state: 'finished', epochs: total, band: { lo: 0.4, hi: 0.5 } });
    expect(summary.inBandFraction).toBeGreaterThanOrEqual(0.9);
    for (const file of ['config.json', 'checkpoint.json', 'report.svg'])
      expect(fs.existsSync(path.join(project, 'runs/mine', file)), file).toBe(true);
  });
});
