/**
 * The flag rules as the CLI shows them: the run table and the stored record of real runs (the rules
 * themselves, on hand-made statistics and the in-process calibration, are test/verdicts.test.ts,
 * which mutation testing runs without spawning the CLI).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { judgeRecord } from '../src/probes/verdicts.js';
import { runCli, tempDir } from './helpers.js';

/** Runs `vgrad run` with the table on stdout and returns it with the stored record. */
function runTable(args: string[]) {
  const out = tempDir();
  const result = runCli(['run', '--quiet', '--out', out, '--train-size', '500', '--test-size', '200', '--probe-size', '200', ...args]);
  assert.equal(result.status, 0, result.stderr);
  const [runId] = readdirSync(join(out, 'runs'));
  const record = JSON.parse(readFileSync(join(out, 'runs', runId, 'summary.json'), 'utf8'));
  return { table: result.stdout, record };
}

describe('the CLI shows the calibrated verdicts (step 0, --data gaussian)', () => {
  const cases: [string[], string, RegExp | null][] = [
    [['--act', 'relu', '--init', 'he', '--depth', '10'], 'healthy', null],
    [['--act', 'relu', '--init', 'xavier', '--depth', '30'], 'vanishing', /│ 1 +│ 784→300 .*vanishing/],
    [['--act', 'tanh', '--init', 'normal1', '--depth', '20'], 'exploding', /│ 1 +│ 784→300 .*exploding, saturated/],
    [['--act', 'sigmoid', '--init', 'normal1', '--depth', '3'], 'saturated', /│ 2 +│ 300→100 .*saturated/],
  ];
  for (const [args, expected, row] of cases) {
    test(`${args.join(' ')}: ${expected}`, () => {
      const { table, record } = runTable(['--data', 'gaussian', '--steps', '0', '--seed', '1', ...args]);
      assert.match(table, new RegExp(`verdict: ${expected} `));
      assert.equal(judgeRecord(record, 'initial').verdict, expected, 'the stored record judges the same');
      if (row) assert.match(table, row);
      else assert.doesNotMatch(table, /│ (vanishing|exploding|saturated|dead|non-finite)[a-z, -]* +│\n/, 'no flags in the last column');
    });
  }
});

describe('dead: a relu net trained with a learning rate high enough to kill units', () => {
  // Measured: sgd lr 1 for 10 steps kills about a third of each hidden layer's units (0% → 32%, 2% → 33%)
  // while the loss stays finite; lr 0.05 kills none. The probe batch is fixed, so the shares compare.
  test('--lr 1 --steps 10: dead in both hidden layers, verdict dead after training', () => {
    const { table, record } = runTable(['--steps', '10', '--lr', '1', '--seed', '1']);
    assert.equal(record.status, 'ok');
    const final = judgeRecord(record, 'final');
    assert.equal(final.verdict, 'dead');
    // Killed units are off on every sample, so the layer is saturated too; dead is the diagnosis.
    for (const flags of final.flags.slice(0, 2)) assert.ok(flags.includes('dead'), JSON.stringify(final.flags));
    assert.match(table, /verdict at step 0: healthy, at step 10: dead /);
    assert.match(table, /After training \(step 10\)[\s\S]*│ 1 +│ 784→300 .*dead/);
  });
  test('--lr 0.05 --steps 10: nothing dead', () => {
    const { table } = runTable(['--steps', '10', '--lr', '0.05', '--seed', '1']);
    assert.match(table, /verdict at step 0: healthy, at step 10: healthy /);
  });
});

describe('not-learning: the verdict after training (mnist, 250 steps, the default)', () => {
  // Measured: sigmoid + standard at depth 5 stays at chance (test acc 0.106, train loss 2.30 = ln 10)
  // after 100 steps already; the default relu + he net reaches 0.86 by step 100 (probe batch, seed 1).
  test('sigmoid + standard, depth 5: vanishing at step 0, not-learning at the end; the record judges the same', () => {
    const { table, record } = runTable(['--act', 'sigmoid', '--init', 'standard', '--depth', '5', '--steps', '250', '--train-size', '1000', '--test-size', '500', '--seed', '1']);
    assert.match(table, /verdict at step 0: vanishing, at step 250: not-learning /);
    assert.match(table, /Verdict not-learning, after 250 steps or more: test acc ≤ chance \(1\/classes\) \+ 0\.15 and train loss ≥ 0\.92 × ln\(classes\)/);
    assert.ok(record.final.testAcc < 0.25 && record.final.loss > 0.92 * Math.log(10), JSON.stringify(record.final));
    assert.equal(judgeRecord(record, 'final').verdict, 'not-learning');
    // The layer flags still say why: the first hidden layer's gradient has vanished.
    assert.ok(judgeRecord(record, 'final').flags[0].includes('vanishing') || judgeRecord(record, 'initial').flags[0].includes('vanishing'));
  });
  test('the same net on --data gaussian (random labels: nothing to learn) is not called not-learning', () => {
    const { table } = runTable(['--act', 'sigmoid', '--init', 'standard', '--depth', '5', '--steps', '250', '--data', 'gaussian', '--seed', '1']);
    assert.match(table, /verdict at step 0: vanishing, at step 250: (vanishing|healthy) /);
  });
  test('249 steps are not judged (the rule is calibrated on 250): the same net does not end not-learning', () => {
    const { table } = runTable(['--act', 'sigmoid', '--init', 'standard', '--depth', '5', '--steps', '249', '--train-size', '1000', '--test-size', '500', '--seed', '1']);
    assert.match(table, /verdict at step 0: vanishing, at step 249: (vanishing|healthy) /);
  });
});
