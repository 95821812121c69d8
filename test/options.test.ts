/**
 * The run option table through the real CLI: --layers alone, user-given flags, strict numbers,
 * case-insensitive names, --probe-size, empty IDX sets, oversized nets, bench flags.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { encodeIdx } from '../src/data/idx.js';
import { assertRefusedInOneLine, runCli, tempDir } from './helpers.js';

/** Tiny and quick: gaussian data, few samples, measured at initialization. */
const TINY = ['--data', 'gaussian', '--train-size', '200', '--test-size', '100', '--probe-size', '50', '--steps', '0'];


function runJson(args: string[]) {
  const out = tempDir();
  const result = runCli(['run', ...TINY, '--json', '--quiet', '--out', out, ...args]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** Everything under out/runs, hidden partial folders included. */
function runEntries(out: string): string[] {
  const runs = join(out, 'runs');
  return existsSync(runs) ? readdirSync(runs) : [];
}

/** An IDX set whose images are count × rows × cols (labels 0..9 cycling). */
function idxSet(count: number, rows: number, cols: number): string {
  const dir = join(tempDir(), 'idx');
  mkdirSync(dir);
  for (const prefix of ['train', 't10k']) {
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), encodeIdx([count, rows, cols], new Uint8Array(count * rows * cols)));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx([count], Uint8Array.from({ length: count }, (_, i) => i % 10)));
  }
  return dir;
}

/** Exit 2, exactly one stderr line "vgrad: …" matching `message`, no stack, nothing on stdout, no run folder. */
function assertRefused(args: string[], message: RegExp) {
  const out = tempDir();
  assertRefusedInOneLine(runCli(['run', ...args, '--out', out]), message, args.join(' '));
  assert.deepEqual(runEntries(out), [], 'no run folder, not even a partial one');
}

describe('--layers and the flags the user gave', () => {
  test('--layers alone sets the hidden widths (the defaults of --depth/--width do not conflict)', () => {
    const record = runJson(['--layers', '30,20,10']);
    assert.deepEqual(record.config.layers, [30, 20, 10]);
    assert.equal(record.config.depth, 3);
    assert.deepEqual(record.layers.map((l: { fanIn: number; fanOut: number }) => [l.fanIn, l.fanOut]), [[784, 30], [30, 20], [20, 10], [10, 10]]);
  });

  test('--layers with an agreeing user-given --depth is accepted', () => {
    assert.deepEqual(runJson(['--layers', '40,20', '--depth', '2']).config.layers, [40, 20]);
  });

  test('--depth or --width given by the user with --layers are refused', () => {
    assertRefused([...TINY, '--layers', '300,200,100', '--depth', '2'], /--layers gives 3 hidden layers but --depth says 2/);
    assertRefused([...TINY, '--layers', '300,50', '--width', '100'], /--width cannot be combined with --layers/);
  });

  test('--width alone still shapes the layers after the first', () => {
    assert.deepEqual(runJson(['--depth', '3', '--width', '7']).config.layers, [300, 7, 7]);
  });
});

describe('strict numbers: decimal only, one line naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['--steps', ''], /--steps must be an integer ≥ 0 \(got ''\); decimal digits only/],
    [['--seed', ''], /--seed must be an integer ≥ 0 \(got ''\)/],
    [['--alpha='], /--alpha must be a number ≥ 0 \(got ''\)/],
    [['--momentum='], /--momentum must be a number in \[0, 1\) \(got ''\)/],
    [['--seed', '0x10'], /--seed must be an integer ≥ 0 \(got '0x10'\); decimal digits only/],
    [['--steps', '1e3'], /--steps must be an integer ≥ 0 \(got '1e3'\)/],
    [['--batch', '  '], /--batch must be an integer ≥ 1 \(got ' {2}'\)/],
    [['--lr', 'Infinity'], /--lr must be a number > 0 \(got 'Infinity'\); decimal only/],
    [['--gain', 'NaN'], /--gain must be a number > 0 \(got 'NaN'\)/],
    [['--lr', '0x1'], /--lr must be a number > 0 \(got '0x1'\)/],
    [['--lr', '1e999'], /--lr must be a number > 0 \(got '1e999'\)/],
    [['--depth', '2000000'], /--depth must be an integer ≤ 1000000 \(got '2000000'\)/],
  ];
  for (const [args, message] of cases) {
    test(args.join(' ') || 'empty', () => assertRefused([...TINY, ...args], message));
  }

  test('decimal forms that are numbers are taken: --lr 5e-2 equals --lr 0.05', () => {
    assert.equal(runJson(['--lr', '5e-2']).config.lr, 0.05);
  });
});

describe('names are case-insensitive', () => {
  test('--act ReLU --optimizer SGD --backend AUTO run as relu, sgd, auto, with the same numbers', () => {
    const upper = runJson(['--act', 'ReLU', '--optimizer', 'SGD', '--backend', 'AUTO']);
    const lower = runJson(['--act', 'relu']);
    assert.equal(upper.config.act, 'relu');
    assert.equal(upper.config.optimizer, 'sgd');
    assert.equal(upper.config.backend, lower.config.backend);
    assert.deepEqual(upper.layers, lower.layers);
    assert.match(upper.runId, /-relu-/);
  });

  test('--act TANH gives tanh statistics (not relu): no dead units are possible', () => {
    const record = runJson(['--act', 'TANH', '--init', 'xavier']);
    assert.equal(record.config.act, 'tanh');
    assert.ok(record.layers[0].initial.actMean < 0.1 && record.layers[0].initial.actMean > -0.1, 'tanh outputs centred on 0, relu outputs would not be');
  });
});

describe('input that does not fit the data or the memory', () => {
  test('--probe-size larger than the test split is refused, not clamped', () => {
    assertRefused([...TINY, '--probe-size', '99999'], /--probe-size 99999 is larger than the 100 test samples; allowed: 1–100/);
  });

  test('without --probe-size, the probe batch is 512 or the whole test split if smaller, and the record says which', () => {
    const out = tempDir();
    const result = runCli(['run', '--data', 'gaussian', '--train-size', '200', '--test-size', '100', '--steps', '0', '--json', '--quiet', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    const record = JSON.parse(result.stdout);
    assert.equal(record.config.probeSize, 100);
    assert.equal(record.data.probeSamples, 100);
  });

  test('IDX set with 0-pixel images is refused', () => {
    assertRefused(['--data', `idx:${idxSet(20, 0, 28)}`, '--steps', '0', '--probe-size', '5'], /images of 0×28 pixels are empty/);
  });

  test('IDX set with 0 samples is refused with a clear line', () => {
    assertRefused(['--data', `idx:${idxSet(0, 4, 3)}`, '--steps', '0'], /holds no images/);
  });

  // Each is refused before the net is built: these used to run 105 s, die at 4.3 GB or throw a RangeError.
  const oversized: [string[], RegExp][] = [
    [['--depth', '1000000', '--steps', '1'], /the net is too large: it needs about 1\.6 TiB of memory .*more than the .* backend can use/],
    // 5.4 GiB is beyond the wasm heap (3 GiB usable), not beyond the memory the native and cpu backends may use.
    [['--depth', '200', '--width', '1000', '--steps', '0', '--backend', 'wasm'], /the net is too large: it needs about 5\.4 GiB of memory .*more than the .* the wasm backend can use/],
    [['--width', '100000', '--depth', '3'], /the net is too large: it needs about \d+ GiB/],
  ];
  for (const [args, message] of oversized) {
    test(`oversized: ${args.join(' ')}`, () => assertRefused(args, message));
  }

  test('the book-sized nets still run: --depth 30, --depth 100 --width 100', () => {
    assert.equal(runJson(['--depth', '30']).layers.length, 31);
    assert.equal(runJson(['--depth', '100', '--width', '100']).layers.length, 101);
  });
});

describe('vgrad bench flags', () => {
  function assertBenchRefused(args: string[], message: RegExp) {
    const result = runCli(['bench', ...args]);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line, got: ${result.stderr}`);
    assert.match(lines[0], message);
    assert.doesNotMatch(result.stderr, /vgrad bench ·/, 'refused before any benchmark started');
    assert.equal(result.stdout, '');
  }

  test('--chunks abc names the flag', () => assertBenchRefused(['--chunks', 'abc'], /^vgrad: --chunks must be an integer ≥ 1 \(got 'abc'\)/));
  test('--rounds 0x2 is not hex', () => assertBenchRefused(['--rounds', '0x2'], /^vgrad: --rounds must be an integer ≥ 1 \(got '0x2'\)/));
  test('--compare on a non-JSON file prints one line', () => {
    const file = join(tempDir(), 'notes.txt');
    writeFileSync(file, 'line one\nline two\n{\n');
    assertBenchRefused(['--compare', file], /^vgrad: --compare .*notes\.txt: not JSON/);
  });
  test('--output in a missing folder is refused before the benchmark runs', () => {
    assertBenchRefused(['--output', join(tempDir(), 'missing', 'x.json')], /^vgrad: --output .*x\.json: folder .*missing does not exist/);
  });
  test('--output that is a folder is refused', () => assertBenchRefused(['--output', tempDir()], /^vgrad: --output .* is a folder/));
});
