/** Numbers inside --init values (normal:STD, uniform:LIMIT, vs:scale=S) follow the same strict decimal syntax as every numeric flag. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './helpers.js';

// `vgrad theory` parses --init exactly as `run` does and loads no TensorFlow.js, so it is the cheap way in.
test('--init refuses hex, blanks and Infinity inside normal:, uniform: and vs:scale=', () => {
  for (const init of ['normal:0x1', 'normal: 1', 'uniform:Infinity', 'vs:scale=0x2,mode=fan_in', 'normal:-1', 'uniform:0']) {
    const result = runCli(['theory', '--init', init]);
    assert.equal(result.status, 2, `${init}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /not a positive decimal number/);
  }
});

test('--init accepts decimal and exponent forms, and the number reaches the net', () => {
  const sigmaW2 = (init: string) => {
    const result = runCli(['theory', '--init', init, '--depth', '1', '--json']);
    assert.equal(result.status, 0, result.stderr);
    return (JSON.parse(result.stdout).layers as { sigmaW2: number }[])[0].sigmaW2;
  };
  // σw² = fanIn·std² = 784·0.05² for normal:0.05 and its exponent spelling.
  assert.ok(Math.abs(sigmaW2('normal:0.05') - 784 * 0.0025) < 1e-9);
  assert.equal(sigmaW2('normal:5e-2'), sigmaW2('normal:0.05'));
  // uniform:R has variance R²/3.
  assert.ok(Math.abs(sigmaW2('uniform:.1') - (784 * 0.01) / 3) < 1e-9);
});
