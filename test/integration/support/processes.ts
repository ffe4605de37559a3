import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** A child process whose output is kept (last 64 KiB) for failure messages. */
export interface Tracked {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
}

const LIMIT = 64 * 1024;
const running = new Set<Tracked>();

/** Spawns a process that {@link stopAll} will end. */
export function start(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): Tracked {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let buffer = '';
  const keep = (chunk: Buffer): void => {
    buffer = (buffer + chunk.toString('utf8')).slice(-LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? String(code)));
    child.on('error', (err) => resolve(`spawn error: ${err.message}`));
  });
  const tracked: Tracked = { name, child, output: () => buffer, exited };
  running.add(tracked);
  void exited.then(() => running.delete(tracked));
  return tracked;
}

/** Ends one process: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stop(tracked: Tracked, graceMs = 3000): Promise<void> {
  if (tracked.child.exitCode !== null || tracked.child.signalCode !== null) return;
  tracked.child.kill('SIGTERM');
  const timer = setTimeout(() => tracked.child.kill('SIGKILL'), graceMs);
  await tracked.exited;
  clearTimeout(timer);
}

/** Ends every process started with {@link start} that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((t) => stop(t)));
}

/** Runs a command to completion, feeding `input` on stdin; never rejects. */
export function run(
  command: string,
  args: readonly string[],
  input?: string,
  options: SpawnOptions = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', (err) => resolve({ code: null, output: `${output}${err.message}` }));
    child.on('close', (code) => resolve({ code, output }));
    // A command that exits without reading stdin must not fail the test with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}
