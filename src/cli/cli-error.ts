/** A command-line error: printed as one line, exit code 1 (2 for usage errors). */
export class CliError extends Error {
  /** Process exit code. */
  readonly exitCode: number;

  /** @param message - one line saying what is wrong and how to fix it. */
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
