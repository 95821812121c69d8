/**
 * Fitting tables and text to a terminal width. A table keeps its important columns, drops the others
 * least important first, and wraps its flexible columns (flags, notes) onto more lines; the caller
 * prints a note naming what was left out. Without a width (piped output, --wide) everything is kept.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { tableOptions } from './tableStyle.js';

export interface TableColumn {
  head: string;
  /** The column's name in the note on left-out columns, if not its head. */
  name?: string;
  /** Plain cell texts (no colour), one per row: they are what gets measured and wrapped. */
  cells: string[];
  /** Dropped when the table is too wide, lowest first; absent: never dropped. */
  dropOrder?: number;
  /** Wraps onto more lines (after spaces and commas) instead of widening the table. */
  wraps?: boolean;
  /** Colours a cell's (possibly wrapped) text; `row` indexes `cells`. */
  paint?: (text: string, row: number) => string;
}

export interface FittedColumns {
  /** Indices of the kept columns, in table order. */
  kept: number[];
  /** Content width of every column, by index (wrapping columns may be narrower than their text). */
  widths: number[];
  /** Names of the dropped columns, in table order. */
  dropped: string[];
}

/** The terminal cells a string occupies (colour codes take none). */
export function displayWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => stringWidth(line)));
}

/** Width of a cli-table3 table with these content widths: "│ a │ b │" is 1 + Σ(width + 3). */
export function tableWidth(contentWidths: number[]): number {
  return 1 + contentWidths.reduce((sum, w) => sum + w + 3, 0);
}

/** A wrapping column never gets narrower than this, even if the table then overflows. */
const MIN_WRAP_WIDTH = 4;

/** Pieces a wrapping cell may break between: after a space or a comma. */
function tokens(text: string): string[] {
  return text.split(/(?<=[ ,])/).filter((t) => t.length > 0);
}

/** The narrowest a wrapping column can get without breaking inside a word. */
function minimumWidth(column: TableColumn): number {
  const words = [column.head, ...column.cells].flatMap((text) => text.split('\n').flatMap(tokens));
  return Math.max(1, ...words.map((word) => stringWidth(word.trimEnd())));
}

/**
 * Greedy word wrap of plain text to `width` cells, breaking after spaces and commas, and inside
 * a word only when the word alone is wider than the column.
 */
export function wrapCell(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (let token of tokens(paragraph)) {
      if (line !== '' && stringWidth((line + token).trimEnd()) > width) {
        lines.push(line.trimEnd());
        line = '';
        token = token.trimStart();
      }
      while (stringWidth(token.trimEnd()) > width) {
        const chars = [...token];
        let cut = 0;
        while (cut < chars.length && stringWidth(chars.slice(0, cut + 1).join('')) <= width) cut++;
        lines.push(chars.slice(0, Math.max(1, cut)).join(''));
        token = chars.slice(Math.max(1, cut)).join('');
      }
      line += token;
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}

/**
 * Chooses the columns that fit in `maxWidth` terminal cells: drops droppable columns lowest
 * dropOrder first until the table fits with its wrapping columns at their narrowest, then hands
 * the room left to the wrapping columns. If nothing more can be dropped the table stays too wide.
 */
export function fitColumns(columns: TableColumn[], maxWidth?: number): FittedColumns {
  const natural = columns.map((c) => Math.max(displayWidth(c.head), ...c.cells.map(displayWidth)));
  const all = columns.map((_, i) => i);
  if (maxWidth === undefined) return { kept: all, widths: natural, dropped: [] };
  const minimum = columns.map((c, i) => (c.wraps ? Math.min(natural[i], minimumWidth(c)) : natural[i]));
  let kept = all;
  const narrowest = () => tableWidth(kept.map((i) => minimum[i]));
  while (narrowest() > maxWidth) {
    const droppable = kept.filter((i) => columns[i].dropOrder !== undefined);
    if (droppable.length === 0) break;
    const next = droppable.reduce((a, b) => (columns[b].dropOrder! < columns[a].dropOrder! ? b : a));
    kept = kept.filter((i) => i !== next);
  }
  // Dropping a wide column may leave room for a narrower one dropped before it: take it back.
  const dropped = () => all.filter((i) => !kept.includes(i)).sort((a, b) => columns[b].dropOrder! - columns[a].dropOrder!);
  for (const i of dropped()) {
    if (narrowest() + minimum[i] + 3 <= maxWidth) kept = all.filter((j) => kept.includes(j) || j === i);
  }
  const widths = [...minimum];
  // Still too wide with nothing left to drop: wrapping columns break inside words, widest first.
  const wrapping = kept.filter((i) => columns[i].wraps);
  for (let excess = narrowest() - maxWidth; excess > 0; excess--) {
    const widest = wrapping.reduce((a, b) => (widths[b] > widths[a] ? b : a), wrapping[0]);
    if (widest === undefined || widths[widest] <= MIN_WRAP_WIDTH) break;
    widths[widest]--;
  }
  // Room left over goes to the wrapping columns, water-filling: each gets what it lacks up to an
  // equal share of what is left, the least lacking first.
  let room = maxWidth - tableWidth(kept.map((i) => widths[i]));
  const lacking = kept.filter((i) => natural[i] > widths[i]).sort((a, b) => natural[a] - widths[a] - (natural[b] - widths[b]));
  lacking.forEach((i, k) => {
    const give = Math.max(0, Math.min(natural[i] - widths[i], Math.floor(room / (lacking.length - k))));
    widths[i] += give;
    room -= give;
  });
  return { kept, widths, dropped: all.filter((i) => !kept.includes(i)).map((i) => columns[i].name ?? columns[i].head) };
}

/**
 * Rows cli-table3 lays out at once. Its layout is quadratic in the rows (2,000 rows took 4 s, a
 * 100,000-layer record's table hours), so a long table is drawn in blocks of this many rows at
 * the fitted widths and the blocks are joined: the same text, in linear time.
 */
const ROWS_PER_BLOCK = 100;

/** Rows [from, to) as one cli-table3 table at the fitted widths, with the head if `head`. */
function renderBlock(color: ChalkInstance, columns: TableColumn[], fit: FittedColumns, from: number, to: number, head: boolean): string {
  const options = tableOptions(color, head ? fit.kept.map((i) => wrapCell(columns[i].head, fit.widths[i])) : []);
  // Content width + the one-cell padding on each side.
  const table = new Table({ ...options, colWidths: fit.kept.map((i) => fit.widths[i] + 2) });
  for (let row = from; row < to; row++) {
    table.push(
      fit.kept.map((i) => {
        const column = columns[i];
        const text = wrapCell(column.cells[row], fit.widths[i]);
        return column.paint ? column.paint(text, row) : text;
      }),
    );
  }
  return table.toString();
}

/** Renders rows [from, to) of `columns` with the columns and widths `fit` chose. */
export function renderTable(color: ChalkInstance, columns: TableColumn[], fit: FittedColumns, from = 0, to = columns[0]?.cells.length ?? 0): string {
  if (to - from <= ROWS_PER_BLOCK) return renderBlock(color, columns, fit, from, to, true);
  const blocks: string[] = [];
  for (let start = from; start < to; start += ROWS_PER_BLOCK) {
    const lines = renderBlock(color, columns, fit, start, Math.min(to, start + ROWS_PER_BLOCK), start === from).split('\n');
    // The blocks meet without a border: the first keeps its top, the last its bottom.
    blocks.push(lines.slice(start === from ? 0 : 1, start + ROWS_PER_BLOCK >= to ? lines.length : -1).join('\n'));
  }
  return blocks.join('\n');
}

/** One table fitted to `maxWidth` (undefined: every column at full width). */
export function fittedTable(color: ChalkInstance, columns: TableColumn[], maxWidth?: number): { table: string; dropped: string[] } {
  const fit = fitColumns(columns, maxWidth);
  return { table: renderTable(color, columns, fit), dropped: fit.dropped };
}

/** The one-line note under a fitted table; empty when nothing was left out. */
export function droppedNote(dropped: string[]): string {
  return dropped.length === 0 ? '' : `Left out to fit: ${dropped.join(', ')} (--wide shows all)`;
}

/** Wraps every line wider than `maxWidth` at spaces (colour codes kept); undefined leaves text as is. */
export function fitLines(text: string, maxWidth?: number): string {
  if (maxWidth === undefined) return text;
  return text
    .split('\n')
    .map((line) => (stringWidth(line) > maxWidth ? wrapAnsi(line, maxWidth, { hard: true }) : line))
    .join('\n');
}

/** Layout hints for `fitTable`, per column of the table: what may be dropped (and when), what may wrap. */
export interface TableLayout {
  dropOrder?: (number | undefined)[];
  wraps?: boolean[];
}

/** A cli-table3 table (plain-string cells) fitted to `maxWidth`, with the note on left-out columns. */
export function fitTable(color: ChalkInstance, table: Table.Table, layout: TableLayout, maxWidth?: number): { table: string; dropped: string[] } {
  const head = table.options.head;
  const rows = table as unknown as string[][];
  const columns: TableColumn[] = head.map((name, i) => ({
    head: name,
    cells: rows.map((row) => String(row[i] ?? '')),
    dropOrder: layout.dropOrder?.[i],
    wraps: layout.wraps?.[i],
  }));
  return fittedTable(color, columns, maxWidth);
}
