/**
 * The one CSV writer (src/store/csv.ts): every CSV vgrad writes (export csv, show --csv, a sweep's
 * summary.csv) writes non-finite numbers as inf, -inf and nan, undefined ones as empty cells, and
 * reads back to the same values: with csv-parse here, and with Python's csv module and float() (as
 * pandas.read_csv does) where /usr/bin/python3 is installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { csvCell, csvTable } from '../src/store/csv.js';
import { statsCsv } from '../src/interop/csv.js';
import { failedRow, toCsv, type SummaryRow } from '../src/sweep/summary.js';
import type { CellConfig } from '../src/store/record.js';

const python = spawnSync('/usr/bin/python3', ['-c', 'import csv'], { encoding: 'utf8' }).status === 0;

describe('the CSV writer', () => {
  test('cells: numbers in shortest round-trip form, non-finite as inf/-inf/nan, undefined empty, lists by spaces', () => {
    assert.deepEqual(
      [0.1, 1e-300, -2.5e21, Infinity, -Infinity, NaN, null, undefined, [300, 100], true, false, 'text', -0].map((value) => csvCell(value)),
      ['0.1', '1e-300', '-2.5e+21', 'inf', '-inf', 'nan', '', '', '300 100', 'true', 'false', 'text', '0'],
    );
  });

  test('a table quotes only what needs it and reads back to the same cells; a line break is written \\x0a', () => {
    const rows = [['a,b', 'say "hi"', 'two\nlines', Infinity], ['plain', '', null, -0.5]];
    const text = csvTable(['x', 'y', 'z', 'n'], rows);
    assert.equal(text, 'x,y,z,n\n"a,b","say ""hi""",two\\x0alines,inf\nplain,,,-0.5\n');
    assert.deepEqual(parse(text), [['x', 'y', 'z', 'n'], ['a,b', 'say "hi"', 'two\\x0alines', 'inf'], ['plain', '', '', '-0.5']]);
  });

  test("text starting with =, +, -, @, tab or CR gets a leading ' (numbers never); raw writes it as it is", () => {
    const texts = ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', 'x=1', '1'];
    assert.deepEqual(texts.map((text) => csvCell(text)), ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\\x09x", "'\\x0dx", 'x=1', '1']);
    assert.deepEqual([-0.5, -1e-300, -Infinity].map((value) => csvCell(value)), ['-0.5', '-1e-300', '-inf']);
    assert.deepEqual(texts.slice(0, 4).map((text) => csvCell(text, { raw: true })), texts.slice(0, 4));
  });

  test("a sweep's summary.csv and the statistics export write non-finite values alike", () => {
    const config = { layers: [300, 100], depth: 2, act: 'relu', init: 'he', seed: 1 } as unknown as CellConfig;
    const row: SummaryRow = { ...failedRow('c1', config, 'boom, "badly"'), status: 'diverged', finalLoss: NaN, gradEnergyRatioInit: Infinity, actVarRatioInit: -Infinity, trainAcc: 0.25 };
    const summary = parse(toCsv([row]), { columns: true })[0] as Record<string, string>;
    assert.deepEqual(
      [summary.cell, summary.layers, summary.status, summary.finalLoss, summary.gradEnergyRatioInit, summary.actVarRatioInit, summary.trainAcc, summary.testAcc, summary.error],
      ['c1', '300 100', 'diverged', 'nan', 'inf', '-inf', '0.25', '', 'boom, "badly"'],
    );
    const stats = parse(statsCsv([['run', 5, 1, 'hidden', 784, 300, 1, 0, Infinity, 0, NaN, null, null, -Infinity, 0, 0, null]]), { columns: true })[0] as Record<string, string>;
    assert.deepEqual([stats.preactVar, stats.actVar, stats.saturated, stats.gradVar], ['inf', 'nan', '', '-inf']);
  });

  test('Python reads the non-finite cells back as the same floats', { skip: python ? false : '/usr/bin/python3 is not installed' }, () => {
    const text = csvTable(['a', 'b', 'c', 'd', 'e'], [[Infinity, -Infinity, NaN, 1e-310, null]]);
    const script = 'import csv, math, sys\nrow = list(csv.DictReader(sys.stdin))[0]\nv = [float(row[k]) for k in "abcd"]\nprint(v[0] == math.inf, v[1] == -math.inf, math.isnan(v[2]), v[3] == 1e-310, row["e"] == "")';
    const read = spawnSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8' });
    assert.equal(read.status, 0, read.stderr);
    assert.equal(read.stdout.trim(), 'True True True True True');
  });
});
