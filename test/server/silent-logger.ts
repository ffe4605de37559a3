import { pino, type Logger } from 'pino';
import { Writable } from 'node:stream';

/** A pino logger that keeps its lines in `lines` instead of printing them. */
export function silentLogger(): Logger & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return Object.assign(pino({ level: 'debug' }, sink), { lines });
}
