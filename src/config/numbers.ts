/**
 * Strict number syntax for flags: decimal only. JavaScript's Number() takes '' and '  ' as 0,
 * '0x10' as 16 and 'Infinity' as a number; a flag must not. Each schema turns the flag's text
 * into a number or fails with the rule the user has to follow ("must be …"), which the caller
 * prefixes with the flag's name. A syntax error also carries `params.hint` (how to write it),
 * which the caller appends after the value it got.
 */
import { z } from 'zod';

/** Optional sign, then digits only: no exponent, no hex, no blanks. */
const DECIMAL_INTEGER = /^[+]?\d+$/;
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
export function decimalInteger(min: number, max?: number) {
  const rule = max === undefined ? `must be an integer ≥ ${min}` : `must be an integer in ${min}–${max}`;
  return z.string().transform((text, ctx) => {
    const value = readDecimalInteger(text);
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: rule, params: { hint: 'decimal digits only' } });
      return z.NEVER;
    }
    if (value < min || (max !== undefined && value > max)) {
      ctx.addIssue({ code: 'custom', message: rule });
      return z.NEVER;
    }
    return value;
  });
}

/** A real-valued flag: finite, decimal (1e-3 is fine), and inside the bounds `rule` states, e.g. "a number > 0". */
export function decimalNumber(rule: string, accept: (value: number) => boolean) {
  return z.string().transform((text, ctx) => {
    const value = readDecimalNumber(text);
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be ${rule}`, params: { hint: 'decimal only, e.g. 0.05 or 5e-2' } });
      return z.NEVER;
    }
    if (!accept(value)) {
      ctx.addIssue({ code: 'custom', message: `must be ${rule}` });
      return z.NEVER;
    }
    return value;
  });
}

/** A comma list of integers ≥ min (e.g. --layers 300,100,100); blanks around commas are fine. */
export function decimalIntegerList(min: number, example: string) {
  const rule = `must be a comma list of integers ≥ ${min}, e.g. ${example}`;
  return z.string().transform((text, ctx) => {
    const values = text.split(',').map((part) => readDecimalInteger(part.trim()));
    if (values.some((value) => value === undefined || value < min)) {
      ctx.addIssue({ code: 'custom', message: rule });
      return z.NEVER;
    }
    return values as number[];
  });
}

/** One of `values`, compared case-insensitively (--act ReLU is relu); the canonical name comes back. */
export function caseInsensitiveChoice<const T extends readonly [string, ...string[]]>(values: T) {
  const rule = `must be one of ${values.join(', ')}`;
  return z.string().transform((text, ctx) => {
    const lowered = text.trim().toLowerCase();
    const match = values.find((value) => value === lowered);
    if (match === undefined) {
      ctx.addIssue({ code: 'custom', message: rule });
      return z.NEVER;
    }
    return match as T[number];
  });
}
