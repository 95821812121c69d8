/**
 * The one CSV writer, for every CSV vgrad writes (`vgrad export csv`, `vgrad show --csv`, a sweep's
 * summary.csv). One convention:
 * - numbers in JavaScript's shortest round-trip form;
 * - non-finite numbers as inf, -inf and nan: what pandas.read_csv (checked with pandas 3.0.6, both
 *   parsers), numpy and Python's float() read back as the same floats;
 * - null and undefined (a value that is not defined: the output layer's saturated and dead,
 *   updateRatio at step 0, a failed cell's results) as an empty cell;
 * - lists as their items joined by spaces, booleans as true and false;
 * - a cell holding a comma, a quote or a line break quoted, quotes doubled (RFC 4180, by csv-stringify);
 * - text (ids, names, messages; never a number, so -0.5 stays a number for pandas) starting with =, +,
 *   -, @, a tab or a carriage return gets a leading ' (OWASP's CSV-injection rule: a spreadsheet
 *   would run it as a formula), unless `raw` (--raw-csv); its control characters are escaped (\x1b).
 */
import { stringify } from 'csv-stringify/sync';
import { escapeControls } from '../util/controlChars.js';

/** What a spreadsheet reads as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

export interface CsvOptions {
  /** Write text cells as they are: no ' before a leading =, +, -, @, tab or CR (--raw-csv). */
  raw?: boolean;
}

export function csvCell(value: unknown, options: CsvOptions = {}): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    return String(value);
  }
  if (typeof value === 'boolean' || Array.isArray(value)) return Array.isArray(value) ? value.join(' ') : String(value);
  const text = String(value);
  return !options.raw && FORMULA_START.test(text) ? `'${escapeControls(text)}` : escapeControls(text);
}

/** A whole CSV document: the header row, then one row per entry, each cell by csvCell. */
export function csvTable(header: string[], rows: unknown[][], options: CsvOptions = {}): string {
  return stringify([header, ...rows.map((row) => row.map((cell) => csvCell(cell, options)))]);
}
