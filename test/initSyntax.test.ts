/**
 * Numbers inside --init values (normal:STD, uniform:LIMIT, vs:scale=S) follow the same strict decimal
 * syntax as every numeric flag. The syntax is checked in-process on the parser `run`, `sweep` and
 * `theory` share (parseInit); one `vgrad theory` child each way shows the CLI path (one line, exit 2;
 * the number reaching the net). σ² does not depend on the data, so the children use --data gaussian.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distributionStd, parseInit } from '../src/model/initializers.js';
import { isUsageError } from '../src/util/errors.js';
import { runCli } from './helpers.js';

const CONTEXT = { act: 'relu' as const, gain: 1 };
const std = (init: string, fanIn = 784, fanOut = 300) => distributionStd(parseInit(init).distribution(fanIn, fanOut, CONTEXT), fanIn, fanOut);

test('--init refuses hex, blanks and Infinity inside normal:, uniform: and vs:scale=', () => {
  for (const init of ['normal:0x1', 'normal: 1', 'uniform:Infinity', 'vs:scale=0x2,mode=fan_in', 'normal:-1', 'uniform:0', 'normal:1e', 'normal:.', 'uniform:1,5']) {
    assert.throws(() => std(init), (e: Error) => isUsageError(e) && /not a positive decimal number/.test(e.message), init);
  }
  // Through the CLI: one line on stderr, exit 2.
  const result = runCli(['theory', '--init', 'normal:0x1', '--data', 'gaussian']);
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /not a positive decimal number/);
});

test('--init accepts decimal and exponent forms, and the number reaches the net', () => {
  assert.equal(std('normal:0.05'), 0.05);
  assert.equal(std('normal:5e-2'), 0.05);
  assert.equal(std('normal:5E-2'), 0.05);
  assert.equal(std('normal:.05'), 0.05);
  // uniform:R has variance R²/3.
  assert.ok(Math.abs(std('uniform:.1') ** 2 - 0.01 / 3) < 1e-15);
  assert.equal(std('uniform:1e-1'), std('uniform:0.1'));
  // vs:scale=S,mode=fan_in: variance S / fan_in (normal: untruncated here).
  assert.ok(Math.abs(std('vs:scale=2e0,mode=fan_in,dist=normal', 784) ** 2 - 2 / 784) < 1e-15);
  // Through the CLI: σw² = fanIn·std² = 784·0.05² for normal:5e-2.
  const result = runCli(['theory', '--init', 'normal:5e-2', '--depth', '1', '--json', '--data', 'gaussian']);
  assert.equal(result.status, 0, result.stderr);
  assert.ok(Math.abs((JSON.parse(result.stdout).layers as { sigmaW2: number }[])[0].sigmaW2 - 784 * 0.0025) < 1e-9);
});
