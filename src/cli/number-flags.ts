import { CliError } from './cli-error';

// plain decimal notation only: Number() would also take '0x14', '0b1', '1e300' for an
// integer, ' 7 ' and '' (as 0)
const decimalNumber = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const decimalInteger = /^[+-]?\d+$/;

/** The most training steps, epochs or positives per user a run may ask for. */
export const MOST_STEPS = 1_000_000_000;

/**
 * The value of a numeric flag in plain decimal notation (`0.001`, `1e-3`, `-2`), finite and
 * accepted by `check`; undefined when the flag is absent.
 * @param what - what `check` wants, for the error (`'a positive number'`).
 * @throws CliError (exit code 2) naming the flag and the value.
 */
export function numberFlag(
  value: string | undefined,
  flag: string,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = decimalNumber.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed) || !check(parsed))
    throw new CliError(`--${flag} must be ${what}, got '${value}'`, 2);
  return parsed;
}

/**
 * The value of an integer flag written in digits (no exponent, no hex, no fraction), in
 * `[min, max]`; undefined when the flag is absent.
 * @throws CliError (exit code 2) naming the flag, the range and the value.
 */
export function integerFlag(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = decimalInteger.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max)
    throw new CliError(
      `--${flag} must be a whole number in [${min}, ${max.toLocaleString('en-US')}] written in digits, got '${value}'`,
      2,
    );
  return parsed;
}
