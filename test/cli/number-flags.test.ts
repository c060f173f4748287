import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error';
import { integerFlag, numberFlag } from '../../src/cli/number-flags';

describe('numeric flags: plain decimal notation only', () => {
  const positive = (n: number): boolean => n > 0;
  it('reads decimals, exponents and signs; absent is undefined', () => {
    expect(numberFlag('0.001', 'learning-rate', positive, 'a positive number')).toBe(0.001);
    expect(numberFlag('1e-3', 'learning-rate', positive, 'a positive number')).toBe(0.001);
    expect(numberFlag('-2.5', 'min-rating', Number.isFinite, 'a number')).toBe(-2.5);
    expect(numberFlag('.5', 'train-fraction', positive, 'x')).toBe(0.5);
    expect(numberFlag(undefined, 'x', positive, 'x')).toBeUndefined();
    expect(integerFlag('20', 'steps', 1, 100)).toBe(20);
    expect(integerFlag('-7', 'seed', -10, 10)).toBe(-7);
  });
  it.each([
    '0x14',
    '0b101',
    '0o7',
    '1e300',
    'Infinity',
    'NaN',
    '',
    ' 7',
    '7 ',
    '1,000',
    '1_000',
    '2.',
    '+',
    'e5',
  ])("refuses '%s' for an integer flag", (text) => {
    expect(() => integerFlag(text, 'steps', 1, 1e9)).toThrow(CliError);
    expect(() => integerFlag(text, 'steps', 1, 1e9)).toThrow(
      `--steps must be a whole number in [1, 1,000,000,000] written in digits, got '${text}'`,
    );
  });
  it.each(['0x14', '1e400', 'Infinity', '', ' 1', '1/2', '--1'])("refuses '%s' for a number flag", (text) => {
    expect(() => numberFlag(text, 'learning-rate', positive, 'a positive number')).toThrow(
      `--learning-rate must be a positive number, got '${text}'`,
    );
  });
  it('refuses integers out of range with exit code 2', () => {
    const error = (() => {
      try {
        integerFlag('0', 'k', 1, 10);
      } catch (caught) {
        return caught as CliError;
      }
    })();
    expect(error?.exitCode).toBe(2);
    expect(() => integerFlag('11', 'k', 1, 10)).toThrow(/in \[1, 10\]/);
  });
  it('any safe integer written in digits reads back as itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), (n) => {
        expect(integerFlag(String(n), 'seed', -(2 ** 31), 2 ** 31)).toBe(n);
      }),
    );
  });
});
