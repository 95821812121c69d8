/**
 * The mean-field prediction where q overflows a double: the moments take their q → ∞ limits
 * (each tail of φ with probability 1/2), so `vgrad theory --json` says "+Inf" where the
 * variance is infinite and stays finite where a saturating activation bounds it; never "NaN".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layerMoments } from '../src/theory/meanField.js';
import { runCli } from './helpers.js';

// Limits written from the definitions, not from src/: u = ±∞ with probability 1/2 each.
// relu: φ(+∞) = ∞, φ(−∞) = 0, φ'(+∞) = 1, φ'(−∞) = 0 (saturated: the whole negative half).
// tanh: φ(±∞) = ±1, φ'(±∞) = 0 (saturated: both tails).
// leaky-relu (α = 0.01): φ(+∞) = +∞, φ(−∞) = −∞ but the mean is (1 − α)/2·E|u| = +∞; φ'² = (1 + α²)/2.
test('layer moments at q = +Infinity are the limits of the activation tails', () => {
  const relu = layerMoments('relu', 0.01, Infinity);
  assert.deepEqual(relu, { mean: Infinity, secondMoment: Infinity, slopeSquare: 0.5, saturated: 0.5 });
  const tanh = layerMoments('tanh', 0.01, Infinity);
  assert.deepEqual(tanh, { mean: 0, secondMoment: 1, slopeSquare: 0, saturated: 1 });
  const leaky = layerMoments('leaky-relu', 0.01, Infinity);
  assert.equal(leaky.mean, Infinity);
  assert.equal(leaky.slopeSquare, (1 + 0.01 ** 2) / 2);
  const linear = layerMoments('linear', 0.01, Infinity);
  assert.deepEqual(linear, { mean: 0, secondMoment: Infinity, slopeSquare: 1, saturated: 0 });
  const sigmoid = layerMoments('sigmoid', 0.01, Infinity);
  assert.deepEqual(sigmoid, { mean: 0.5, secondMoment: 0.5, slopeSquare: 0, saturated: 1 });
});

test('the q → ∞ limits continue the finite-q quadrature', () => {
  // tanh at q = 1e12: E[tanh²(u)] = 1 − E[sech²(u)] ≈ 1 − 2/√(2πq) (sech² integrates to 2 near 0, where
  // the density is 1/√(2πq)), i.e. 1 − 8e-7; the limit is 1. Same for the saturated share (→ 1).
  const finite = layerMoments('tanh', 0.01, 1e12);
  assert.ok(Math.abs(finite.secondMoment - (1 - 2 / Math.sqrt(2 * Math.PI * 1e12))) < 1e-8, `${finite.secondMoment}`);
  assert.ok(1 - finite.saturated < 1e-4, `${finite.saturated}`);
  // relu at q = 1e300: E[φ'²] = 1/2 at every q.
  assert.ok(Math.abs(layerMoments('relu', 0.01, 1e300).slopeSquare - 0.5) < 1e-12);
});

test('vgrad theory --json writes +Inf, not NaN, where q overflows, and bounded layers stay finite', () => {
  const relu = runCli(['theory', '--act', 'relu', '--init', 'normal:30', '--depth', '200', '--width', '100', '--json']);
  assert.equal(relu.status, 0, relu.stderr);
  assert.doesNotMatch(relu.stdout, /NaN/);
  const reluLayers = JSON.parse(relu.stdout).layers as { preactVar: unknown; actVar: unknown; slopeSquare: unknown }[];
  const top = reluLayers[reluLayers.length - 2];
  assert.equal(top.preactVar, '+Inf');
  assert.equal(top.actVar, '+Inf');
  assert.equal(top.slopeSquare, 0.5);

  const tanh = runCli(['theory', '--act', 'tanh', '--init', 'normal:30', '--depth', '200', '--width', '100', '--json']);
  assert.equal(tanh.status, 0, tanh.stderr);
  assert.doesNotMatch(tanh.stdout, /NaN/);
  const tanhTop = (JSON.parse(tanh.stdout).layers as { preactVar: unknown; actVar: unknown }[])[199];
  // σw² = 100·30² = 9e4 times E[tanh²] ≤ 1: q stays below 9e4.
  assert.equal(typeof tanhTop.preactVar, 'number');
  assert.ok((tanhTop.preactVar as number) < 9e4);
});
