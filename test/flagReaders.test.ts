/**
 * The flag readers (src/config/numbers.ts) and the run option table (src/config/options.ts), in
 * process: what each reader accepts, what it refuses and the one-line message it gives. The CLI
 * tests (options.test.ts, flags.test.ts) check the same rules through `vgrad run`; this file is the
 * fast one mutation testing reruns for these two modules (scripts/mutate-tests.mjs).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { UsageError } from '../src/util/errors.js';
import {
  caseInsensitiveChoice,
  decimalInteger,
  decimalIntegerList,
  decimalNumber,
  flagMessage,
  FlagValueError,
  nonEmptyText,
  readDecimalInteger,
  readDecimalNumber,
  readFlag,
} from '../src/util/decimal.js';
import { addRunOptions, DEFAULTS, readRunOptions, RUN_OPTIONS, runOptionSpec } from '../src/config/options.js';

/** The FlagValueError `read(text)` throws (fails the test when it returns). */
function refusal<In>(read: (raw: In) => unknown, raw: In): FlagValueError {
  try {
    read(raw);
  } catch (error) {
    assert.ok(error instanceof FlagValueError, `expected a FlagValueError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${JSON.stringify(raw)} was accepted`);
}

/** The UsageError message `readRunOptions(raw)` throws. */
function usageMessage(raw: Record<string, unknown>): string {
  try {
    readRunOptions(raw);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`${JSON.stringify(raw)} was accepted`);
}

describe('decimal numbers', () => {
  test('integers: decimal digits only (no sign), nothing that Number() also takes', () => {
    assert.equal(readDecimalInteger('0'), 0);
    assert.equal(readDecimalInteger('42'), 42);
    assert.equal(readDecimalInteger('+7'), undefined);
    assert.equal(readDecimalInteger('007'), 7);
    // Number() reads each of these as a number; a flag must not.
    for (const text of ['', ' ', ' 5', '5 ', '-1', '0x10', '1e3', '1.5', '1.0', 'Infinity', 'NaN', '1_000', '٣']) {
      assert.equal(readDecimalInteger(text), undefined, JSON.stringify(text));
    }
    // Beyond 2^53 the digits no longer name one integer.
    assert.equal(readDecimalInteger(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    assert.equal(readDecimalInteger('9007199254740993'), undefined);
  });

  test('reals: sign, fraction and exponent; no hex, blanks or non-finite values', () => {
    const cases: Array<[string, number]> = [
      ['0.05', 0.05], ['5e-2', 0.05], ['5E-2', 0.05], ['-3', -3], ['+2.5', 2.5], ['.5', 0.5], ['5.', 5], ['1e+3', 1000], ['0', 0],
    ];
    for (const [text, value] of cases) assert.equal(readDecimalNumber(text), value, text);
    for (const text of ['', ' ', '0x10', 'Infinity', '-Infinity', 'NaN', '1e', 'e3', '.', '1.2.3', ' 1', '1 ', '1e999', '--1', '1,5']) {
      assert.equal(readDecimalNumber(text), undefined, JSON.stringify(text));
    }
  });

  test('an integer flag states its range, and how to write it only when the syntax is wrong', () => {
    const read = decimalInteger(1, 10);
    assert.equal(read('1'), 1);
    assert.equal(read('10'), 10);
    const low = refusal(read, '0');
    assert.equal(low.message, 'must be an integer ≥ 1');
    assert.equal(low.hint, undefined);
    assert.equal(refusal(read, '11').message, 'must be an integer ≤ 10');
    const hex = refusal(read, '0x3');
    assert.equal(hex.message, 'must be an integer ≥ 1');
    assert.equal(hex.hint, 'decimal digits only');
    // No upper bound: any safe integer at or above the minimum.
    assert.equal(decimalInteger(0)('123456789'), 123456789);
    assert.equal(decimalInteger(0)('0'), 0);
  });

  test('a real flag: its rule decides the bounds; the syntax hint only for text that is not a number', () => {
    const positive = decimalNumber('a number > 0', (value) => value > 0);
    assert.equal(positive('1e-3'), 1e-3);
    const zero = refusal(positive, '0');
    assert.equal(zero.message, 'must be a number > 0');
    assert.equal(zero.hint, undefined);
    const word = refusal(positive, 'fast');
    assert.equal(word.message, 'must be a number > 0');
    assert.equal(word.hint, 'decimal only, e.g. 0.05 or 5e-2');
  });

  test('integer lists: blanks around commas are fine, every entry must be an integer ≥ min', () => {
    const read = decimalIntegerList(1, '300,100');
    assert.deepEqual(read('300, 100 ,7'), [300, 100, 7]);
    assert.deepEqual(read('5'), [5]);
    for (const text of ['300,0', '300,,100', '', '300,1.5', '300,-1', '300;100', '0x10']) {
      assert.equal(refusal(read, text).message, 'must be a comma list of integers ≥ 1, e.g. 300,100', text);
    }
  });

  test('choices match case-insensitively and give back the canonical name', () => {
    const read = caseInsensitiveChoice(['relu', 'tanh'] as const);
    assert.equal(read('ReLU'), 'relu');
    assert.equal(read(' TANH '), 'tanh');
    assert.equal(refusal(read, 'rel').message, 'must be one of relu, tanh');
    assert.equal(refusal(read, 'relu6').message, 'must be one of relu, tanh');
  });

  test('text flags refuse only the empty text', () => {
    const read = nonEmptyText('must be a folder path');
    assert.equal(read(' '), ' ');
    assert.equal(read('a/b'), 'a/b');
    assert.equal(refusal(read, '').message, 'must be a folder path');
  });
});

describe('the one-line message', () => {
  test('flag, rule, the value given, then the hint', () => {
    assert.equal(flagMessage('--seed', '0x10', new FlagValueError('must be an integer ≥ 0', 'decimal digits only')), "--seed must be an integer ≥ 0 (got '0x10'); decimal digits only");
    assert.equal(flagMessage('--seed', '-1', new FlagValueError('must be an integer ≥ 0')), "--seed must be an integer ≥ 0 (got '-1')");
    // A switch's raw value is not text: no "(got …)".
    assert.equal(flagMessage('--quiet', true, new FlagValueError('takes no value')), '--quiet takes no value');
    // valueFirst puts the value right after the flag, for rules that read as a sentence about it.
    assert.equal(flagMessage('--data', 'x', new FlagValueError('is not a data source; allowed: mnist', 'ignored', true)), "--data 'x' is not a data source; allowed: mnist");
  });

  test('readFlag turns a refusal into a UsageError and lets other errors through unchanged', () => {
    assert.equal(readFlag('--depth', decimalInteger(1), '3'), 3);
    assert.throws(() => readFlag('--depth', decimalInteger(1), '0'), (error: unknown) => error instanceof UsageError && error.message === "--depth must be an integer ≥ 1 (got '0')");
    const bug = new RangeError('a bug in a reader');
    assert.throws(() => readFlag('--x', () => { throw bug; }, 'v'), (error: unknown) => error === bug);
  });
});

describe('the run option table', () => {
  test('absent flags take the table defaults and are not "given"', () => {
    const { values, given } = readRunOptions({});
    assert.equal(given.size, 0);
    for (const entry of RUN_OPTIONS) assert.deepEqual(values[entry.key], entry.default, entry.key);
    // The documented defaults (docs/run.md, vgrad run --help).
    assert.deepEqual(
      { depth: values.depth, width: values.width, act: values.act, init: values.init, optimizer: values.optimizer, lr: values.lr, momentum: values.momentum, batch: values.batch, steps: values.steps, seed: values.seed, data: values.data, logEvery: values.logEvery, alpha: values.alpha, gain: values.gain, backend: values.backend, out: values.out, standardize: values.standardize },
      { depth: 2, width: 100, act: 'relu', init: 'he', optimizer: 'sgd', lr: 0.05, momentum: 0.9, batch: 64, steps: 250, seed: 42, data: 'mnist', logEvery: 100, alpha: 0.01, gain: 1, backend: 'auto', out: 'results', standardize: false },
    );
    for (const key of ['layers', 'epochs', 'trainSize', 'testSize', 'probeSize', 'threads', 'saveWeights', 'initFrom', 'tensorboard'] as const) assert.equal(values[key], null, key);
    assert.equal(DEFAULTS.probeSize, 512);
    assert.equal(DEFAULTS.firstWidth, 300);
    assert.equal(DEFAULTS.depth, 2);
  });

  test('given flags are read by their own reader and recorded as given', () => {
    const { values, given } = readRunOptions({ depth: '5', act: 'Tanh', lr: '1e-2', layers: '30, 20', standardize: true, momentum: '0', data: 'IDX:/Some/Dir' });
    assert.deepEqual([...given].sort(), ['act', 'data', 'depth', 'layers', 'lr', 'momentum', 'standardize']);
    assert.equal(values.depth, 5);
    assert.equal(values.act, 'tanh');
    assert.equal(values.lr, 0.01);
    assert.deepEqual(values.layers, [30, 20]);
    assert.equal(values.standardize, true);
    assert.equal(values.momentum, 0);
    // The data kind is case-insensitive, the folder keeps its case.
    assert.equal(values.data, 'idx:/Some/Dir');
    assert.equal(values.width, 100);
  });

  test('each refusal names the flag and the rule', () => {
    assert.equal(usageMessage({ depth: '0' }), "--depth must be an integer ≥ 1 (got '0')");
    assert.equal(usageMessage({ depth: '1000001' }), '--depth must be an integer ≤ 1000000 (got \'1000001\')');
    assert.equal(usageMessage({ momentum: '1' }), "--momentum must be a number in [0, 1) (got '1')");
    assert.equal(usageMessage({ alpha: '-0.1' }), "--alpha must be a number ≥ 0 (got '-0.1')");
    assert.equal(readRunOptions({ alpha: '0' }).values.alpha, 0);
    assert.equal(usageMessage({ gain: '0' }), "--gain must be a number > 0 (got '0')");
    assert.equal(usageMessage({ lr: '0' }), "--lr must be a number > 0 (got '0')");
    assert.equal(usageMessage({ epochs: '0' }), "--epochs must be a number > 0 (got '0')");
    assert.equal(readRunOptions({ steps: '0' }).values.steps, 0);
    assert.equal(usageMessage({ seed: '-1' }), "--seed must be an integer ≥ 0 (got '-1'); decimal digits only");
    assert.equal(usageMessage({ optimizer: 'rmsprop' }), "--optimizer must be one of sgd, momentum, adam (got 'rmsprop')");
    assert.equal(usageMessage({ data: 'cifar' }), "--data 'cifar' is not a data source; allowed: mnist, gaussian, idx:DIR");
    assert.equal(usageMessage({ out: '' }), "--out must be a folder path (got '')");
    assert.equal(usageMessage({ initFrom: '' }), "--init-from must be a file path (got '')");
    assert.match(usageMessage({ backend: 'gpu' }), /^--backend must be one of auto, .*\(got 'gpu'\)$/);
  });

  test('--save-weights: init, final or both, in a fixed order, once each', () => {
    assert.deepEqual(readRunOptions({ saveWeights: 'final' }).values.saveWeights, ['final']);
    assert.deepEqual(readRunOptions({ saveWeights: 'final, INIT,final' }).values.saveWeights, ['init', 'final']);
    assert.deepEqual(readRunOptions({ saveWeights: 'init' }).values.saveWeights, ['init']);
    assert.equal(usageMessage({ saveWeights: 'init,best' }), "--save-weights has 'best'; allowed: init, final, or init,final (got 'init,best')");
  });

  test('commander stores every flag under its table key, without defaults', () => {
    const cmd = addRunOptions(new Command().exitOverride(), (entry, help) => `${entry.key}: ${help}`);
    const declared = cmd.options.map((o) => o.attributeName());
    assert.deepEqual(declared, RUN_OPTIONS.map((entry) => entry.key));
    cmd.parse(['--depth', '3', '--probe-size', '16', '--standardize', '--save-weights', 'init'], { from: 'user' });
    const raw = cmd.opts();
    assert.deepEqual(raw, { depth: '3', probeSize: '16', standardize: true, saveWeights: 'init' });
    // Help lines: the table's help, the default when there is one, reworded by `describe`.
    const depthHelp = cmd.options.find((o) => o.long === '--depth')!;
    assert.equal(depthHelp.flags, '--depth <n>');
    assert.equal(depthHelp.description, 'depth: hidden layers (first 300 units, the rest --width) (default 2)');
    assert.equal(cmd.options.find((o) => o.long === '--standardize')!.description, 'standardize: standardize each pixel with the training split mean and std');
    assert.doesNotMatch(cmd.options.find((o) => o.long === '--layers')!.description, /default/);
    assert.equal(runOptionSpec('probeSize').flag, '--probe-size');
  });
});
