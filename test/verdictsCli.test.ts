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
