/** The run options parser, unit level (fast: used per mutant by npm run mutate). The CLI tests check the same through bin/vgrad.js. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../src/util/errors.js';
import { defaultLayers, parseRunConfig, resolveSteps } from '../src/config/runConfig.js';

const refused = (flag: string) => (error: Error) => {
  assert.ok(error instanceof UsageError, `a UsageError, got ${error}`);
  assert.ok(error.message.startsWith(flag), `names ${flag}: ${error.message}`);
  assert.ok(!error.message.includes('\n'), 'one line');
  return true;
};

describe('parseRunConfig', () => {
  test('the documented defaults', () => {
    const c = parseRunConfig({});
    assert.deepEqual(
      { layers: c.layers, depth: c.depth, act: c.act, alpha: c.alpha, init: c.init, gain: c.gain, optimizer: c.optimizer, lr: c.lr, momentum: c.momentum, batch: c.batch, steps: c.steps, epochs: c.epochs, seed: c.seed, data: c.data, standardize: c.standardize, probeSize: c.probeSize, logEvery: c.logEvery, backend: c.backend, out: c.out },
      { layers: [300, 100], depth: 2, act: 'relu', alpha: 0.01, init: 'he', gain: 1, optimizer: 'sgd', lr: 0.05, momentum: 0.9, batch: 64, steps: 250, epochs: null, seed: 42, data: 'mnist', standardize: false, probeSize: null, logEvery: 100, backend: 'auto', out: 'results' },
    );
    // probeSize null: 512, or the whole test split if smaller, resolved once the data are loaded.
    assert.equal(c.trainSize, null);
    assert.equal(c.testSize, null);
  });

  test('every value given is taken, as a number where it is one', () => {
    const c = parseRunConfig({ depth: '3', width: '40', act: 'tanh', alpha: '0.2', init: 'Glorot', gain: '1.5', optimizer: 'momentum', lr: '0.1', momentum: '0.5', batch: '32', steps: '7', seed: '9', data: 'gaussian', trainSize: '100', testSize: '50', standardize: true, probeSize: '20', logEvery: '3', backend: 'cpu', out: 'x' });
    assert.deepEqual(c.layers, [300, 40, 40]);
    assert.equal(c.depth, 3);
    assert.equal(c.init, 'xavier', 'canonical initializer name');
    for (const [key, value] of [['act', 'tanh'], ['alpha', 0.2], ['gain', 1.5], ['optimizer', 'momentum'], ['lr', 0.1], ['momentum', 0.5], ['batch', 32], ['steps', 7], ['seed', 9], ['data', 'gaussian'], ['trainSize', 100], ['testSize', 50], ['standardize', true], ['probeSize', 20], ['logEvery', 3], ['backend', 'cpu'], ['out', 'x']] as const) {
      assert.equal(c[key], value, key);
    }
    assert.equal(parseRunConfig({ epochs: '1.5' }).epochs, 1.5);
    assert.equal(parseRunConfig({ steps: '0' }).steps, 0, '--steps 0 is allowed');
    assert.equal(parseRunConfig({ momentum: '0' }).momentum, 0, '--momentum 0 is allowed');
    assert.equal(parseRunConfig({ alpha: '0' }).alpha, 0, '--alpha 0 is allowed');
    assert.equal(parseRunConfig({ seed: '0' }).seed, 0, '--seed 0 is allowed');
    assert.equal(parseRunConfig({ data: 'idx:/some/dir' }).data, 'idx:/some/dir');
  });

  const bad: [string, Record<string, string>][] = [
    ['--depth', { depth: '0' }], ['--depth', { depth: '1.5' }], ['--width', { width: '0' }], ['--act', { act: 'swish' }],
    ['--alpha', { alpha: '-0.1' }], ['--init', { init: 'kaiming' }], ['--gain', { gain: '0' }], ['--optimizer', { optimizer: 'rmsprop' }],
    ['--lr', { lr: '0' }], ['--lr', { lr: '-1' }], ['--momentum', { momentum: '1' }], ['--momentum', { momentum: '-0.1' }],
    ['--batch', { batch: '0' }], ['--steps', { steps: '-1' }], ['--steps', { steps: '2.5' }], ['--epochs', { epochs: '0' }],
    ['--seed', { seed: '-1' }], ['--train-size', { trainSize: '0' }], ['--test-size', { testSize: '0' }], ['--probe-size', { probeSize: '0' }],
    ['--log-every', { logEvery: '0' }], ['--backend', { backend: 'gpu' }], ['--data', { data: 'cifar' }], ['--layers', { layers: '300,0' }],
    ['--steps and --epochs', { steps: '3', epochs: '1' }], ['--init book', { init: 'book', act: 'selu' }],
  ];
  for (const [flag, raw] of bad) {
    test(`refuses ${JSON.stringify(raw)} naming ${flag}`, () => {
      assert.throws(() => parseRunConfig(raw), refused(flag));
    });
  }
});

describe('--layers against the flags the user gave', () => {
  // Found by mutation testing: these rules were checked only through the CLI (options.test), so
  // removing them survived the in-process tests npm run mutate runs.
  test('a given --depth must agree with --layers, a given --width is refused; the defaults do not conflict', () => {
    assert.deepEqual(parseRunConfig({ layers: '30,20' }).layers, [30, 20]);
    assert.deepEqual(parseRunConfig({ layers: '30,20', depth: '2' }).layers, [30, 20]);
    assert.throws(() => parseRunConfig({ layers: '30,20', depth: '3' }), refused('--layers'));
    assert.throws(() => parseRunConfig({ layers: '30,20', width: '40' }), refused('--width'));
  });
});

describe('resolveSteps and defaultLayers', () => {
  test('--epochs becomes ceil(epochs × samples / batch); without it --steps stands', () => {
    const base = parseRunConfig({ batch: '16' });
    assert.equal(resolveSteps({ ...base, epochs: 1 }, 50), 4);
    assert.equal(resolveSteps({ ...base, epochs: 0.5 }, 50), 2);
    assert.equal(resolveSteps({ ...base, epochs: 2 }, 64), 8);
    assert.equal(resolveSteps({ ...base, steps: 11 }, 50), 11);
  });
  test('the first hidden layer has 300 units, the rest the width', () => {
    assert.deepEqual(defaultLayers(1), [300]);
    assert.deepEqual(defaultLayers(3, 7), [300, 7, 7]);
    assert.deepEqual(defaultLayers(2), [300, 100]);
  });
});
