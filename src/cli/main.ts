import fs from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { loadConfigFile } from '../config/load-config-file.js';
import { resolveConfig } from '../config/resolve-config.js';
import { UserError } from '../core/user-error.js';
import { flagsToConfig, type RunFlags } from './flags.js';
import { runSession } from '../run/run-session.js';
import { resumeConfig } from './resume-config.js';
import { createProgress, type ProgressMode } from './progress.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { apiToken, isLoopback } from './api-token.js';
import { cliLogger } from './cli-logger.js';
import { addSweepCommand } from './sweep-command.js';

/** The package's version, from the package.json one level above `src/` or `dist/`. */
function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('lossband')
    .version(packageVersion())
    .description('Train a network while a controller holds the training loss inside a band by adjusting input noise σ.')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('run')
    .description('train a model (default: bundled Iris, pid controller holding the loss in [0.30, 0.40])')
    .option('--config <file>', 'YAML or JSON config; keys mirror the flags')
    .addOption(new Option('--preset <name>', 'starting point').choices(['default', 'seed']))
    .option(
      '--data <iris|wine|breast-cancer|digits|blobs|PATH>',
      'bundled dataset, blobs[:ROWSxFEATURESxCLASSES], or a CSV file',
    )
    .option('--label <column>', 'label column of the CSV (default: last)')
    .option('--test-fraction <f>', 'held-out share (default 0.2)')
    .option('--no-standardize', 'feed raw features')
    .option('--epochs <n>', 'epochs to train; 0 = until stopped')
    .option('--seed <seed>', 'seed for split, init, noise (default 42)')
    .option('--hidden <list>', 'hidden layer widths, e.g. 10 or 64,32')
    .option('--optimizer <adam|sgd>', 'optimiser')
    .option('--learning-rate <lr>', 'learning rate')
    .option('--batch-size <n|full>', 'mini-batch size (default: full batch)')
    .option('--band <lo:hi>', 'target band of the loss (default 0.30:0.40)')
    .option('--controller <type>', 'pid | hysteresis | fixed | flooding')
    .option('--sigma <s>', 'initial σ (the constant for fixed)')
    .option('--draws <n|auto>', 'noisy copies of each sample per epoch')
    .option('--noise-budget <x>', 'auto draws: epoch work at most x times the σ = 0 epoch (default 2)')
    .option(
      '--noise-scale <absolute|feature>',
      "σ in input units, or times each feature's std (default: feature unless standardised)",
    )
    .option(
      '--backend <js|node|wasm|cpu>',
      'engine: plain JS or a TensorFlow.js backend (default: the fastest for the model)',
    )
    .option('--out <dir>', 'run directory (default runs/<name>)')
    .option('--name <name>', 'run name (metrics label)')
    .option('--port <port>', 'metrics/API port; 0 = no server (default 9464)')
    .option('--host <host>', 'bind address (default 127.0.0.1)')
    .option('--checkpoint-every <n>', 'epochs between checkpoints (default 100)')
    .option('--events-every <n>', 'record every n-th epoch in events.jsonl (default 1: every epoch)')
    .option('--clean-every <n>', 'measure the noise-free training loss every n-th epoch; 0 = never (default 50)')
    .option(
      '--on-non-finite <stop|rollback>',
      'on a NaN/Inf loss: stop (exit 3) or roll back and lower the learning rate',
    )
    .option(
      '--resume <dir>',
      'continue a run from its last checkpoint (only --port, --host, --quiet and --epochs N, a new total, may accompany it)',
    )
    .option('--quiet', 'print only errors and the final summary')
    .option('--debug', 'show stack traces')
    .action(async (flags: RunFlags) => {
      const layers = [];
      let config: ResolvedConfig;
      if (typeof flags.resume === 'string') {
        const runtime = flagsToConfig({ port: flags.port, host: flags.host, epochs: flags.epochs });
        layers.push(runtime);
        config = resumeConfig(flags.resume, flags, runtime);
      } else {
        if (typeof flags.config === 'string') layers.push(loadConfigFile(flags.config));
        layers.push(flagsToConfig(flags));
        config = resolveConfig(layers, new Date());
      }
      const token = apiToken(layers);
      if (config.server.port !== 0 && !isLoopback(config.server.host) && !token) {
        throw new UserError(
          `--host ${config.server.host}: serving beyond loopback needs an API token (set LOSSBAND_TOKEN)`,
        );
      }
      const progress: ProgressMode = flags.quiet
        ? 'quiet'
        : config.preset === 'seed'
          ? 'seed'
          : process.stdout.isTTY
            ? 'bar'
            : 'lines';
      const say = (line: string, kind: 'info' | 'result'): void => {
        if (!flags.quiet || kind === 'result') process.stdout.write(line + '\n');
      };
      const portExplicit = layers.some((layer) => layer.server?.port !== undefined);
      const log = await cliLogger();
      exit(
        await runSession({
          config,
          progress: createProgress({ mode: progress, epochs: config.epochs }),
          say,
          portExplicit,
          token,
          log,
          resume: typeof flags.resume === 'string',
        }),
      );
    });

  addSweepCommand(program, exit);

  program
    .command('report <runDir>')
    .description('regenerate report.svg from a run directory')
    .action(async (runDir: string) => {
      const { writeReport } = await import('../report/render-report.js');
      process.stdout.write(`${await writeReport(runDir)}\n`);
      exit(0);
    });
  return program;
}

/**
 * Entry point of the `lossband` command. User errors print one line and exit 2 (3 for a
 * diverged run, 4 for a run stopped by its disk: full, read-only, directory gone, out of file
 * descriptors); stack traces only with `--debug`.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv as string[]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserError) {
      process.stderr.write(`lossband: ${err.message}\n`);
      return err.exitCode;
    }
    const debug = argv.includes('--debug');
    process.stderr.write(`lossband: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    if (debug) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return 1;
  }
}
