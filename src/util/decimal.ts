/**
 * Strict number syntax for flags: decimal only. JavaScript's Number() takes '' and '  ' as 0,
 * '0x10' as 16 and 'Infinity' as a number; a flag must not. Each reader turns the flag's text
 * into its value or throws a FlagValueError with the rule the user has to follow ("must be …"),
 * which the caller prefixes with the flag's name; a syntax error also carries a hint (how to
 * write it), which the caller appends after the value it got.
 *
 * Plain functions, not zod schemas: a flag is one string, and every command that reads flags
 * would otherwise load zod first (~90 ms of CPU per process). Zod checks structured input: the
 * experiment files and the stored records.
 */
import { UsageError } from './errors.js';

/** A flag value a reader refuses. */
export class FlagValueError extends Error {
  constructor(
    /** What the value must be, e.g. "must be an integer ≥ 1". */
    message: string,
    /** How to write it, e.g. "decimal digits only"; shown after the value. */
    readonly hint?: string,
    /** Say the value before the rule: "--data 'x' is not a data source; …". */
    readonly valueFirst = false,
  ) {
    super(message);
    this.name = 'FlagValueError';
  }
}

/** Reads one flag's raw value (commander's string, or true for a switch) into its typed value. */
export type FlagReader<In, Out> = (raw: In) => Out;

/**
 * "--seed must be an integer ≥ 0 (got '0x10'); decimal digits only", or "--data 'x' is not …":
 * the one-line message for `flag` given `raw` and refused with `error`.
 */
export function flagMessage(flag: string, raw: unknown, error: FlagValueError): string {
  if (error.valueFirst) return `${flag} '${String(raw)}' ${error.message}`;
  const shown = typeof raw === 'string' ? ` (got '${raw}')` : '';
  return `${flag} ${error.message}${shown}${error.hint ? `; ${error.hint}` : ''}`;
}

/** Digits only: no sign (an integer flag is never negative, and '+3' reads like a typo), no exponent, no hex, no blanks. */
const DECIMAL_INTEGER = /^\d+$/;
/** Optional sign, digits with an optional fraction, optional exponent (1e-3 is a normal learning rate). */
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Reads a whole number written in decimal digits; undefined when the text is anything else. */
export function readDecimalInteger(text: string): number | undefined {
  if (!DECIMAL_INTEGER.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Reads a finite decimal number; undefined when the text is anything else (hex, blank, Infinity, NaN). */
export function readDecimalNumber(text: string): number | undefined {
  if (!DECIMAL_NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * An integer flag in [min, max]. Out of range says the range; text that is not decimal digits
 * (hex, exponent, blank) also says how to write it.
 */
export function decimalInteger(min: number, max?: number): FlagReader<string, number> {
  const rule = `must be an integer ≥ ${min}`;
  return (text) => {
    const value = readDecimalInteger(text);
    if (value === undefined) throw new FlagValueError(rule, 'decimal digits only');
    if (value < min) throw new FlagValueError(rule);
    if (max !== undefined && value > max) throw new FlagValueError(`must be an integer ≤ ${max}`);
    return value;
  };
}

/** A real-valued flag: finite, decimal (1e-3 is fine), and inside the bounds `rule` states, e.g. "a number > 0". */
export function decimalNumber(rule: string, accept: (value: number) => boolean): FlagReader<string, number> {
  return (text) => {
    const value = readDecimalNumber(text);
    if (value === undefined) throw new FlagValueError(`must be ${rule}`, 'decimal only, e.g. 0.05 or 5e-2');
    if (!accept(value)) throw new FlagValueError(`must be ${rule}`);
    return value;
  };
}

/** A comma list of integers ≥ min (e.g. --layers 300,100,100); blanks around commas are fine. */
export function decimalIntegerList(min: number, example: string): FlagReader<string, number[]> {
  const rule = `must be a comma list of integers ≥ ${min}, e.g. ${example}`;
  return (text) => {
    if (text.trim() !== text) throw new FlagValueError(rule);
    const values = text.split(',').map((part) => readDecimalInteger(part.trim()));
    if (values.some((value) => value === undefined || value < min)) throw new FlagValueError(rule);
    return values as number[];
  };
}

/** One of `values`, compared case-insensitively (--act ReLU is relu); the canonical name comes back. */
export function caseInsensitiveChoice<const T extends readonly [string, ...string[]]>(values: T): FlagReader<string, T[number]> {
  const rule = `must be one of ${values.join(', ')}`;
  return (text) => {
    const lowered = text.trim().toLowerCase();
    const match = values.find((value) => value === lowered);
    if (match === undefined) throw new FlagValueError(rule);
    return match as T[number];
  };
}

/** Any non-empty text (a path): `rule` says what it must be, e.g. "must be a folder path". */
export function nonEmptyText(rule: string): FlagReader<string, string> {
  return (text) => {
    if (text.length === 0) throw new FlagValueError(rule);
    return text;
  };
}

/** Reads `raw` with `read`; a refusal becomes a one-line UsageError naming `flag`. */
export function readFlag<In, Out>(flag: string, read: FlagReader<In, Out>, raw: In): Out {
  try {
    return read(raw);
  } catch (error) {
    if (error instanceof FlagValueError) throw new UsageError(flagMessage(flag, raw, error));
    throw error;
  }
}
