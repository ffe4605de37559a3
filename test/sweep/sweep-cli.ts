/** Helpers of the sweep's process tests (test/regression/sweep-*.test.ts): the built CLI, as a user runs it. */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const bin = path.resolve('bin/lossband.js');
const exec = promisify(execFile);

export const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'lossband-sweep-'));

/** Writes a sweep file into a new temp directory and returns its path. */
export function sweepFile(text: string): string {
  const file = path.join(tmp(), 'sweep.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** Runs `lossband …` to its end. */
export async function lossband(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A `lossband …` process in the background, with its output so far. */
export function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  started.add(child);
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  /**
   * Resolves with `probe`'s first non-undefined answer, asking again after each short pause;
   * rejects if the process ends first. Waits for a state, never for a time.
   */
  const until = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> => {
    for (;;) {
      if (ended) throw new Error(`lossband ended before ${what}: ${stdout}\n${stderr}`);
      const answer = await probe();
      if (answer !== undefined) return answer;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, exited, until, out: () => stdout, err: () => stderr };
}

/** Running processes from {@link start}; tests end theirs in `afterEach` with {@link killLeftovers}, so a failed assertion leaves none behind. */
const started = new Set<ReturnType<typeof start>['child']>();

/** SIGKILLs every process {@link start} began that is still running. */
export function killLeftovers(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}

export { freePort } from '../integration/support/free-port.js';

/** GETs JSON, or undefined while nothing answers. */
export async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const res = await fetch(url);
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

export const readJson = <T = Record<string, unknown>>(...parts: string[]): T =>
  JSON.parse(fs.readFileSync(path.join(...parts), 'utf8')) as T;

/** The epoch numbers of a run directory's events.jsonl, in file order. */
export const eventEpochs = (dir: string): number[] =>
  fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { epoch: number }).epoch);

export const oneToN = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
