import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { quote, UserError } from '../core/user-error.js';
import { runSession } from '../run/run-session.js';
import {
  expandSweep,
  loadSweepFile,
  planPoint,
  pointAt,
  pointConfig,
  readSweepState,
  runSweep,
  sweepPaths,
  type SweepServer,
} from '../sweep/index.js';
import { apiToken, isLoopback } from './api-token.js';
import { cliLogger } from './cli-logger.js';
import { flagsToConfig, type RunFlags } from './flags.js';
import { createProgress } from './progress.js';

/** Most runs one process trains at once. */
const MAX_CONCURRENCY = 256;

/** The server flags as the run command reads them: `--port`, `--host` (default 9464 on 127.0.0.1). */
function serverOf(flags: RunFlags): SweepServer & { portExplicit: boolean } {
  const layer = flagsToConfig({ port: flags.port, host: flags.host });
  return {
    port: layer.server?.port ?? 9464,
    host: layer.server?.host ?? '127.0.0.1',
    portExplicit: layer.server?.port !== undefined,
  };
}

function concurrencyOf(value: string | boolean | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = /^\d{1,4}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= MAX_CONCURRENCY))
    throw new UserError(`--concurrency: expected a whole number from 1 to ${MAX_CONCURRENCY}, got ${quote(value)}`);
  return n;
}

/** Flags that cannot go with another. */
function refuseCombinations(file: string | undefined, flags: RunFlags): void {
  if (typeof flags.resume === 'string') {
    if (file !== undefined)
      throw new UserError(`${file}: not allowed with --resume (the sweep is ${path.join(flags.resume, 'sweep.yaml')})`);
    if (flags.out !== undefined)
      throw new UserError('--out: not allowed with --resume (the sweep directory is the one resumed)');
    if (flags.index !== undefined)
      throw new UserError('--index: not allowed with --resume (--index resumes its own point)');
  } else if (file === undefined) {
    throw new UserError('FILE: missing; usage: lossband sweep FILE.yaml, or lossband sweep --resume DIR');
  }
  if (flags.index !== undefined && flags.concurrency !== undefined)
    throw new UserError('--concurrency: not used with --index (it runs one point)');
}

/**
 * `--index I`: point I of the sweep and nothing else, in the process's own thread, as
 * `lossband run` would train it — the same config a local sweep gives point I, in
 * `<out>/<point name>`, continued from its checkpoint when the directory holds one. This is
 * what each pod of the Kubernetes Indexed Job runs (`--index $JOB_COMPLETION_INDEX`).
 */
async function runOnePoint(
  file: string,
  index: string,
  flags: RunFlags,
  server: SweepServer & { portExplicit: boolean },
  token: string | undefined,
): Promise<number> {
  const sweep = loadSweepFile(file);
  const point = pointAt(expandSweep(sweep), index);
  const out = typeof flags.out === 'string' ? flags.out : path.join('runs', sweep.name);
  const config = pointConfig(point, out, server);
  const plan = planPoint(config);
  const say = (line: string, kind: 'info' | 'result'): void => {
    if (!flags.quiet || kind === 'result') process.stdout.write(line + '\n');
  };
  if (plan.kind === 'done') {
    say(`point ${point.index} (${point.name}) already ${plan.state} in ${config.out}; nothing to do`, 'result');
    return plan.state === 'diverged' ? 3 : 0;
  }
  const mode = flags.quiet ? 'quiet' : config.preset === 'seed' ? 'seed' : process.stdout.isTTY ? 'bar' : 'lines';
  return runSession({
    config: plan.kind === 'resume' ? plan.config : config,
    progress: createProgress({ mode, epochs: config.epochs }),
    say,
    portExplicit: server.portExplicit,
    token,
    resume: plan.kind === 'resume',
    log: await cliLogger(),
  });
}

/** Adds `lossband sweep` to the program; `exit` receives the exit code. */
export function addSweepCommand(program: Command, exit: (code: number) => void): void {
  program
    .command('sweep [file]')
    .description(
      'train every point of a sweep file (a base config plus a grid and/or seeded random choices), in parallel behind one server',
    )
    .option(
      '--out <dir>',
      'sweep directory: a run directory per point plus sweep.csv/json/svg (default runs/<sweep name>)',
    )
    .option('--port <port>', 'port of the one metrics/API server for every run; 0 = no server (default 9464)')
    .option('--host <host>', 'bind address (default 127.0.0.1; beyond loopback needs LOSSBAND_TOKEN)')
    .option(
      '--concurrency <n>',
      `runs trained at once, each on a worker thread (default: the number of cores, ${os.availableParallelism()} here)`,
    )
    .option(
      '--index <i>',
      'train only point I, in this process, resuming its directory if it holds one (a Kubernetes Indexed Job pod)',
    )
    .option(
      '--resume <dir>',
      'finish the sweep in DIR: ended runs stay, interrupted ones continue from their checkpoints, the rest start',
    )
    .option('--quiet', 'print only the final table')
    .option('--debug', 'show stack traces')
    .action(async (file: string | undefined, flags: RunFlags) => {
      refuseCombinations(file, flags);
      const server = serverOf(flags);
      const concurrency = concurrencyOf(flags.concurrency);
      const token = apiToken([]);
      if (server.port !== 0 && !isLoopback(server.host) && !token) {
        throw new UserError(`--host ${server.host}: serving beyond loopback needs an API token (set LOSSBAND_TOKEN)`);
      }
      if (typeof flags.index === 'string') {
        exit(await runOnePoint(file as string, flags.index, flags, server, token));
        return;
      }
      const resumeDir = typeof flags.resume === 'string' ? flags.resume : undefined;
      if (resumeDir !== undefined) readSweepState(resumeDir); // "not a sweep directory" before anything else
      const sweep = loadSweepFile(resumeDir !== undefined ? sweepPaths(resumeDir).file : (file as string));
      const out = resumeDir ?? (typeof flags.out === 'string' ? flags.out : path.join('runs', sweep.name));
      exit(
        await runSweep({
          sweep,
          out,
          resume: resumeDir !== undefined,
          concurrency,
          server: { port: server.port, host: server.host },
          portExplicit: server.portExplicit,
          token,
          quiet: flags.quiet === true,
          log: await cliLogger(),
        }),
      );
    });
}
