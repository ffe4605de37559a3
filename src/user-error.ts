/**
 * An error caused by the user's input (a flag, a config key, a CSV cell, an HTTP field).
 *
 * Its message is one line that names the offending thing — `file:line:column`, the config
 * key or the field — so the CLI can print it without a stack trace and exit with code 2.
 *
 * @example
 * throw new UserError(`data.csv:7:3: not a number: "abc"`);
 */
export class UserError extends Error {
  /** Process exit code the CLI uses for this error. Defaults to 2. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}
