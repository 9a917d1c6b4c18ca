/**
 * Options whose values commander checks as it parses the command line: a fixed list of choices, or
 * a whole number in a range. A bad value stops the run before the action starts, with exit 2 and
 * commander's message, which names the flag, the value and what is allowed:
 * `error: option '--max <n>' argument 'ten' is invalid. Expected a whole number, 1 or more.`
 * The help lists the choices. Light on purpose: every command declares its options at startup.
 */
import { Argument, InvalidArgumentError, Option } from 'commander';

/** Bounds of a whole-number option, and why they are what they are (said in the error). */
export interface WholeNumberRange {
  /** 1 unless said (a count of things); 0 for a port or a delay. */
  min?: number;
  max?: number;
  /** Why the bounds, for the error: `Keap returns at most 1000 records a page`. */
  why?: string;
}

/** An option taking one of `values`, in any case (`--format CSV`); its value is the listed spelling. */
export function choiceOption<T extends string>(flags: string, description: string, values: readonly T[]): Option {
  return new Option(flags, description).choices(values).argParser((value: string) => oneOf(values, value));
}

/** A command argument taking one of `values`, in any case (`api get /contacts`). */
export function choiceArgument<T extends string>(name: string, description: string, values: readonly T[]): Argument {
  return new Argument(name, description).choices(values).argParser((value: string) => oneOf(values, value));
}

/** An option taking a whole number (in `range`, by default 1 or more); its value is the number. */
export function wholeNumberOption(flags: string, description: string, range: WholeNumberRange = {}): Option {
  return new Option(flags, description).argParser((value: string) => wholeNumber(value, range));
}

function oneOf<T extends string>(values: readonly T[], value: string): T {
  const wanted = value.trim().toLowerCase();
  const match = values.find((choice) => choice.toLowerCase() === wanted);
  if (match === undefined) throw new InvalidArgumentError(`Allowed choices are ${values.join(', ')}.`);
  return match;
}

/** `value` as a whole number in the range, or commander's error saying what the range is. */
export function wholeNumber(value: string, { min = 1, max, why }: WholeNumberRange): number {
  const text = value.trim();
  const n = Number(text);
  if (/^\d+$/.test(text) && Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max)) return n;
  const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
  throw new InvalidArgumentError(`Expected a whole number, ${range}${why ? ` (${why})` : ''}.`);
}
