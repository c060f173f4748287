/**
 * A request the service refuses: an HTTP status, the offending field (`history[3]`, `k`) when
 * one is to blame, and a message saying what is wrong. The HTTP adapter answers it as
 * `{ statusCode, error, message, field }`.
 */
export class RequestError extends Error {
  /** HTTP status: 400 for a malformed request, 404 for an unknown user or item, 413 for a body too large. */
  readonly statusCode: number;
  /** The field to blame, as a path into the body (`exclude[2]`), when one is. */
  readonly field?: string;

  /**
   * @param statusCode - HTTP status of the answer.
   * @param message - what is wrong and how to fix it.
   * @param field - the field to blame.
   */
  constructor(statusCode: number, message: string, field?: string) {
    super(message);
    this.name = 'RequestError';
    this.statusCode = statusCode;
    if (field !== undefined) this.field = field;
  }
}
