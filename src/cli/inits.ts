/**
 * `vgrad inits`: every initializer with its σ and r for a layer shape, and the error in the book's
 * Table 11-1 (Géron, Hands-On Machine Learning, 1st ed., ch. 11).
 */
import { Command } from 'commander';
import Table from 'cli-table3';
import { decimalInteger, decimalNumber, readFlag } from '../util/decimal.js';
import { COMMAND_DEFAULTS } from '../config/defaults.js';
import { DEFAULTS } from '../config/options.js';
import { activationsWhere, type BookRow } from '../model/activations.js';
import { BOOK_TABLE, distributionStd, INIT_CATALOGUE, parseInit, type WeightDistribution } from '../model/initializers.js';
import { formatNumber } from '../report/layerTable.js';
import { tableOptions } from '../report/tableStyle.js';
import { droppedNote, fitLines, fitTable } from '../report/fitWidth.js';
import { chalkFor } from './color.js';
import { outputWidth } from './terminal.js';

/** A layer's fan: the same limit as --width (one layer of at most this many units). */
const FAN = decimalInteger(1);
const GAIN = decimalNumber('a number > 0', (value) => value > 0);

function describe(dist: WeightDistribution, fanIn: number, fanOut: number) {
  const std = distributionStd(dist, fanIn, fanOut);
  const limit = dist.kind === 'uniform' ? dist.limit : null;
  return { distribution: dist.kind, std, limit };
}

/**
 * The book's Table 11-1 next to the published value for each row (BOOK_TABLE): for tanh, Glorot & Bengio's
 * normalized init (2010, eq. 16, derived for units linear at 0); for the logistic, that init ×4
 * (whose slope at 0 is 1/4), as the Theano deep-learning tutorial and Bengio 2012 give it: Glorot
 * & Bengio themselves never scale it. He et al.'s 2/n_in for ReLU. The book's ReLU row is √2 × the
 * fan-average value: not an error, but not He et al.'s either. Each row
 * is drawn for the first activation it covers.
 */
export function bookTable(fanIn: number, fanOut: number) {
  return (Object.keys(BOOK_TABLE) as BookRow[]).map((row) => {
    const [act] = activationsWhere((facts) => facts.bookRow === row);
    const book = parseInit('book-uniform').distribution(fanIn, fanOut, { act, gain: 1 });
    const bookNormal = parseInit('book').distribution(fanIn, fanOut, { act, gain: 1 });
    const publishedLimit = BOOK_TABLE[row].published.limit(fanIn, fanOut);
    return {
      row,
      bookLimit: book.kind === 'uniform' ? book.limit : NaN,
      bookStd: distributionStd(bookNormal, fanIn, fanOut),
      publishedLimit,
      publishedStd: publishedLimit / Math.sqrt(3),
      publishedBy: BOOK_TABLE[row].published.by,
      /** The book's value is the published one. */
      agrees: Math.abs((book.kind === 'uniform' ? book.limit : NaN) / publishedLimit - 1) < 1e-12,
    };
  });
}

export function initsCommand(): Command {
  return new Command('inits')
    .description("list every initializer with its σ and r for one layer shape, and the error in the book's Table 11-1")
    .option('--fan-in <n>', 'inputs of the layer', String(COMMAND_DEFAULTS.inits.fanIn))
    .option('--fan-out <n>', 'outputs of the layer', String(COMMAND_DEFAULTS.inits.fanOut))
    .option('--gain <x>', 'orthogonal gain', String(COMMAND_DEFAULTS.inits.gain))
    .option('--json', 'print JSON on stdout')
    .option('--wide', 'print every table column even if wider than the terminal')
    .addHelpText('after', '\nExample:\n  $ vgrad inits --fan-in 100 --fan-out 100')
    .action((flags: { fanIn: string; fanOut: string; gain: string; json?: boolean; wide?: boolean }) => {
      const fanIn = readFlag('--fan-in', FAN, flags.fanIn);
      const fanOut = readFlag('--fan-out', FAN, flags.fanOut);
      const gain = readFlag('--gain', GAIN, flags.gain);
      // No scheme listed here depends on --act (the book's has its own table below).
      const schemes = INIT_CATALOGUE.map((entry) => ({
        name: entry.name,
        ...describe(parseInit(entry.name).distribution(fanIn, fanOut, { act: DEFAULTS.act, gain }), fanIn, fanOut),
        meantFor: entry.meantFor,
        note: entry.note ?? '',
        formula: entry.formula,
        citation: entry.citation,
      }));
      const book = bookTable(fanIn, fanOut);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ fanIn, fanOut, schemes, book })}\n`);
        return;
      }
      const color = chalkFor(process.stdout);
      const table = new Table(tableOptions(color, ['init', 'distribution', 'σ', 'r (uniform)', 'meant for', 'note']));
      for (const s of schemes) table.push([s.name, s.distribution, formatNumber(s.std), formatNumber(s.limit), s.meantFor, s.note]);
      const bookRows = new Table(tableOptions(color, ['row', 'book r', 'book σ', 'published r', 'published σ', 'published by']));
      for (const b of book) {
        const mark = (text: string) => (b.agrees ? text : color.red(text));
        bookRows.push([b.row, mark(formatNumber(b.bookLimit)), mark(formatNumber(b.bookStd)), formatNumber(b.publishedLimit), formatNumber(b.publishedStd), b.publishedBy]);
      }
      // On a narrow terminal the long columns wrap, and the distribution goes (r shows – unless uniform).
      const width = outputWidth(process.stdout, flags.wide);
      const schemesFitted = fitTable(color, table, { dropOrder: [undefined, 1], wraps: [true, false, false, true, true, true] }, width);
      const note = droppedNote(schemesFitted.dropped);
      process.stdout.write(fitLines(
        [
          color.bold(`Initializers for a ${fanIn}→${fanOut} layer`),
          schemesFitted.table,
          ...(note ? [note] : []),
          '',
          color.bold("The book's Table 11-1 (Géron, 1st ed., ch. 11; --init book / book-uniform) has the factor 4 on the wrong row"),
          fitTable(color, bookRows, { wraps: [false, true, true, true, true, true] }, width).table,
          "It puts 4× on tanh. Glorot & Bengio's normalized init (eq. 16) has no 4: it is derived for units linear at 0, like tanh;",
          'the 4× for the logistic, whose slope at 0 is 1/4, is from the Theano tutorial and Bengio 2012.',
          "Its ReLU row is √2 × the fan-average value, where He et al. use 2/n_in. Red: the book differs from the published value.",
          'With --init book, tanh starts 4× too wide and saturates; try: vgrad run --act tanh --init book --depth 5',
          '',
        ].join('\n'),
      width));
    });
}
