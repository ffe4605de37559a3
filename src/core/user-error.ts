const MAX_LENGTH = 300;

/**
 * Quotes a user-supplied value for an error message, cut to `max` characters, so a
 * 100 kB cell or flag never floods the terminal.
 *
 * @example
 * quote('abc'); // '"abc"'
 */
export function quote(value: string, max = 40): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/**
 * An error caused by the user's input (a flag, a config key, a CSV cell, an HTTP field).
 *
 * Its message is one line (at most 300 characters) that names the offending thing —
 * `file:line:column`, the config key or the field — so the CLI can print it without a stack
 * trace and exit with code 2.
 *
 * @example
 * throw new UserError(`data.csv:7:3: not a number: "abc"`);
 */
export class UserError extends Error {
  /** Process exit code the CLI uses for this error. Defaults to 2. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    const line = message.replace(/\s*[\r\n]+\s*/g, ' ');
    // Cut from the middle: the head names the thing, the tail says what is wrong with it.
    super(line.length > MAX_LENGTH ? `${line.slice(0, MAX_LENGTH / 2)}…${line.slice(-MAX_LENGTH / 2)}` : line);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}
