import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { selectBackend } from '../src/backend/select.js';
import { judge, type VerdictLayer, type VerdictStats } from '../src/probes/verdicts.js';
import { CALIBRATION, HEALTHY_DEPTHS, measureAtInit } from './calibration.js';

/** A layer with healthy-looking statistics, overridden where a test needs it. */
function layer(width: number, over: Partial<VerdictStats> = {}, kind: 'hidden' | 'output' = 'hidden', initial?: Partial<VerdictStats>): VerdictLayer {
  const stats: VerdictStats = { preactVar: 1, actVar: 0.5, gradVar: 1 / width, weightGradNorm: 0.1, saturated: kind === 'output' ? null : 0.1, dead: kind === 'output' ? null : 0, ...over };
  return { kind, fanIn: 100, fanOut: width, stats, initial: initial ? { ...stats, ...initial } : undefined };
}
const output = () => layer(10, { gradVar: 0.09 }, 'output');

describe('verdict rules on hand-made statistics', () => {
  test('gradient energy is width × grad var, so a 300-wide first layer is not "vanishing" next to 100-wide ones', () => {
    // Per-unit grad var 1/300 against 1/100: 3× lower per unit, the same energy (ratio 1).
    const v = judge({ act: 'relu', alpha: 0, layers: [layer(300), layer(100), layer(100), output()] });
    assert.equal(v.verdict, 'healthy');
    assert.deepEqual(v.gradientRatio.map((r) => (r === null ? null : Math.round(r * 1e9) / 1e9)), [1, 1, 1, null]);
  });

  test('vanishing at a ratio of 1e-4 to the top hidden layer, not at 1.01e-4; exploding at 1e4, not 0.99e4', () => {
    const at = (ratio: number) => judge({ act: 'tanh', alpha: 0, layers: [layer(100, { gradVar: ratio / 100 }), layer(100), output()] });
    assert.deepEqual(at(1e-4).flags[0], ['vanishing']);
    assert.equal(at(1e-4).verdict, 'vanishing');
    assert.deepEqual(at(1.01e-4).flags[0], []);
    assert.deepEqual(at(1e4).flags[0], ['exploding']);
    assert.equal(at(1e4).verdict, 'exploding');
    assert.deepEqual(at(0.99e4).flags[0], []);
  });

  test('the ratio is a quotient of energies: top hidden layer energy 4, layer 1 energy 4e-5 ⇒ ratio 1e-5, vanishing', () => {
    // Found by mutation testing: with a top energy of exactly 1 (the tests above), own × top equals own ÷ top.
    const v = judge({ act: 'tanh', alpha: 0, layers: [layer(100, { gradVar: 4e-7 }), layer(100, { gradVar: 0.04 }), output()] });
    assert.deepEqual(v.flags[0], ['vanishing']);
    assert.ok(Math.abs(v.gradientRatio[0]! / 1e-5 - 1) < 1e-9, String(v.gradientRatio[0]));
  });

  test('the output layer never gets a gradient flag, however small its grad var', () => {
    const v = judge({ act: 'relu', alpha: 0, layers: [layer(100), layer(10, { gradVar: 1e-30 }, 'output')] });
    assert.equal(v.verdict, 'healthy');
  });

  test('saturated: over 75% for one-sided activations, over 25% for two-sided ones', () => {
    const sat = (act: 'relu' | 'leaky-relu' | 'elu' | 'selu' | 'sigmoid' | 'tanh' | 'softsign', share: number) =>
      judge({ act, alpha: 0.01, layers: [layer(100, { saturated: share }), output()] }).verdict;
    for (const act of ['relu', 'leaky-relu', 'elu', 'selu'] as const) {
      assert.equal(sat(act, 0.6), 'healthy', act);
      assert.equal(sat(act, 0.76), 'saturated', act);
    }
    for (const act of ['sigmoid', 'tanh', 'softsign'] as const) {
      assert.equal(sat(act, 0.24), 'healthy', act);
      assert.equal(sat(act, 0.26), 'saturated', act);
    }
  });

  test('dead: only against step 0, when the dead share rose by more than 10 points', () => {
    const at0 = judge({ act: 'relu', alpha: 0, layers: [layer(100, { dead: 0.45 }), output()] });
    assert.equal(at0.verdict, 'healthy', 'units off for every correlated probe sample at init are not "killed"');
    const rose = (from: number, to: number) => judge({ act: 'relu', alpha: 0, layers: [layer(100, { dead: to }, 'hidden', { dead: from }), output()] });
    assert.equal(rose(0.3, 0.39).verdict, 'healthy');
    assert.deepEqual(rose(0.3, 0.41).flags[0], ['dead']);
    assert.equal(rose(0.3, 0.41).verdict, 'dead');
  });

  test('non-finite (null or ±Inf or NaN) statistics flag the layer and make the verdict diverged', () => {
    for (const bad of [null, Number.POSITIVE_INFINITY, Number.NaN]) {
      const v = judge({ act: 'relu', alpha: 0, layers: [layer(100, { gradVar: bad }), layer(100), output()] });
      assert.deepEqual(v.flags[0], ['non-finite'], String(bad));
      assert.equal(v.verdict, 'diverged');
    }
    assert.equal(judge({ act: 'relu', alpha: 0, layers: [layer(100), output()], diverged: true }).verdict, 'diverged');
  });

  test('dead outranks saturated: a killed relu unit is saturated on every sample', () => {
    const v = judge({ act: 'relu', alpha: 0, layers: [layer(100, { dead: 0.5, saturated: 0.9 }, 'hidden', { dead: 0, saturated: 0.5 }), output()] });
    assert.deepEqual(v.flags[0], ['saturated', 'dead']);
    assert.equal(v.verdict, 'dead');
  });

  test('the most severe verdict wins: exploding over saturated (tanh + N(0,1) is both)', () => {
    const v = judge({ act: 'tanh', alpha: 0, layers: [layer(100, { gradVar: 1e3, saturated: 0.9 }), layer(100, { saturated: 0.9 }), output()] });
    assert.deepEqual(v.flags[0], ['exploding', 'saturated']);
    assert.equal(v.verdict, 'exploding');
  });
});

/**
 * The suite's share of the calibration grid (the whole grid, every depth and seeds 1–3 on both data
 * sets, is `node scripts/flag-calibration.mjs 256 --check`, run when the rules or the probe change):
 * every broken configuration, and each healthy pair at the grid's shallowest and deepest depth (the
 * gradient-energy ratio drifts with depth, README "Flag rules", so depth 30 is where a healthy pair
 * comes closest to a gradient flag). One seed per data set (1 on gaussian, 2 on mnist) keeps seed
 * variation in the check at a sixth of the cost.
 */
const SUITE_CALIBRATION = CALIBRATION.filter((c) => c.expected !== 'healthy' || c.depth === HEALTHY_DEPTHS[0] || c.depth === HEALTHY_DEPTHS.at(-1));

describe('calibration at step 0, in-process: the extremes of the README table, gaussian and mnist', () => {
  before(async () => {
    await selectBackend('auto');
  });
  // 256 probe samples: the saturated and dead shares are per (sample, unit) pair or per unit, and the
  // margins found with 512 samples (README "Flag rules") are several times the change from 512 to 256.
  test('the grid the suite checks holds every verdict and both extremes of each healthy pair', () => {
    assert.deepEqual(new Set(SUITE_CALIBRATION.map((c) => c.expected)), new Set(['healthy', 'vanishing', 'exploding', 'saturated']));
    assert.equal(SUITE_CALIBRATION.filter((c) => c.expected === 'healthy').length, 12);
  });
  for (const c of SUITE_CALIBRATION) {
    test(`${c.act} + ${c.init}${c.standardize ? ' --standardize' : ''}, depth ${c.depth}: ${c.expected}`, () => {
      for (const [data, seed] of [['gaussian', 1], ['mnist', 2]] as const) {
        const { verdict } = measureAtInit(c, data, seed, 256);
        assert.equal(verdict.verdict, c.expected, `${data} seed ${seed}: flags ${JSON.stringify(verdict.flags)}`);
      }
    });
  }
});
