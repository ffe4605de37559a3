import { pino, type Logger } from 'pino';

/**
 * The operational log on stderr: plain human lines on a terminal (pino-pretty, synchronous so
 * nothing is lost at exit), pino's JSON lines otherwise (for log collectors).
 */
export async function cliLogger(): Promise<Logger> {
  if (!process.stderr.isTTY) return pino({ level: 'warn' }, pino.destination(2));
  const { default: pretty } = await import('pino-pretty');
  return pino(
    { level: 'warn' },
    pretty({ destination: 2, sync: true, colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' }),
  );
}
