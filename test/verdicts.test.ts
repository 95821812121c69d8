import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { selectBackend } from '../src/backend/select.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANCE_MARGIN, judge, LOSS_FALL, NOT_LEARNING_MIN_STEPS, notLearning, RUN_VERDICTS, type TrainingOutcome, type VerdictLayer, type VerdictStats } from '../src/probes/verdicts.js';
import { ROOT } from './helpers.js';
import { labelsAreLearnable } from '../src/data/sources.js';
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

describe('the training verdict (not-learning) on hand-made outcomes', () => {
  const outcome = (over: Partial<TrainingOutcome> = {}): TrainingOutcome => ({ steps: 250, testAcc: 0.113, loss: 2.301, classes: 10, learnable: true, ...over });
  const atLn10 = (1 - LOSS_FALL) * Math.log(10);
  test(`fires at test acc ≤ chance + ${CHANCE_MARGIN} with loss ≥ ${1 - LOSS_FALL}·ln 10 = ${atLn10.toFixed(4)}; not just beyond either line`, () => {
    const edgeAcc = 0.1 + CHANCE_MARGIN;
    assert.equal(notLearning(outcome({ testAcc: edgeAcc - 1e-9, loss: atLn10 + 1e-9 })), true);
    assert.equal(notLearning(outcome({ testAcc: edgeAcc + 1e-9, loss: 2.3 })), false, 'accuracy off chance: learning');
    assert.equal(notLearning(outcome({ testAcc: 0.1, loss: atLn10 - 1e-9 })), false, 'loss fallen: learning, slowly');
  });
  test('only --data gaussian has random labels: a stored record of it is never judged not-learning', () => {
    assert.deepEqual(['mnist', 'gaussian', 'idx:/data/fashion', 'cifar'].map(labelsAreLearnable), [true, false, true, true]);
  });
  test(`not before ${NOT_LEARNING_MIN_STEPS} steps, not on random labels, and chance is 1/classes`, () => {
    assert.equal(notLearning(outcome({ steps: NOT_LEARNING_MIN_STEPS })), true);
    assert.equal(notLearning(outcome({ steps: NOT_LEARNING_MIN_STEPS - 1 })), false);
    assert.equal(notLearning(outcome({ learnable: false })), false);
    // 3 classes: chance 1/3, ln 3 = 1.0986.
    assert.equal(notLearning(outcome({ classes: 3, testAcc: 1 / 3 + CHANCE_MARGIN - 1e-9, loss: (1 - LOSS_FALL) * Math.log(3) + 1e-9 })), true);
    assert.equal(notLearning(outcome({ classes: 3, testAcc: 0.2, loss: (1 - LOSS_FALL) * Math.log(3) - 1e-9 })), false);
  });
  test('ranked second: diverged outranks it, and it outranks every layer flag (the cause stays in the flags and at step 0)', () => {
    assert.deepEqual(RUN_VERDICTS.slice(0, 3), ['diverged', 'not-learning', 'exploding']);
    const vanishing = [layer(100, { gradVar: 1e-9 }), layer(100), output()];
    assert.equal(judge({ act: 'relu', alpha: 0, layers: vanishing, training: outcome() }).verdict, 'not-learning');
    assert.deepEqual(judge({ act: 'relu', alpha: 0, layers: vanishing, training: outcome() }).flags[0], ['vanishing']);
    assert.equal(judge({ act: 'relu', alpha: 0, layers: vanishing, training: outcome({ testAcc: 0.5 }) }).verdict, 'vanishing');
    assert.equal(judge({ act: 'relu', alpha: 0, layers: vanishing, training: outcome(), diverged: true }).verdict, 'diverged');
    assert.equal(judge({ act: 'relu', alpha: 0, layers: [layer(100), output()], training: outcome() }).verdict, 'not-learning');
  });
});

/**
 * The training verdict's calibration, from its cache (scripts/training-calibration.json: mnist,
 * seeds 1–3, 250 steps, measured by `node scripts/training-calibration.mjs --measure`): the rule is
 * re-applied to every cached run, so a changed threshold is checked against all 135 runs at no cost.
 */
describe('training verdict calibration (cached runs)', () => {
  const cache = JSON.parse(readFileSync(join(ROOT, 'scripts', 'training-calibration.json'), 'utf8')) as {
    cells: { act: string; init: string; depth: number; seed: number; steps: number; data: string; classes: number; testAcc: number; loss: number | string }[];
  };
  const healthyInit: Record<string, string> = { relu: 'he', 'leaky-relu': 'he', elu: 'he', tanh: 'xavier', softsign: 'xavier', selu: 'lecun' };
  const must = (c: { act: string; init: string; depth: number }) =>
    healthyInit[c.act] === c.init || (c.act === 'sigmoid' && (c.init === 'normal1' || (c.init === 'xavier-logistic' && c.depth === 5))) ? 'silent' : 'fire';
  test('135 runs: silent on every healthy and slow net, firing on every net at chance', () => {
    assert.equal(cache.cells.length, 135);
    // A diverged run's loss is stored as the marker "NaN": not a number the rule can call at chance.
    const loss = (value: number | string) => (typeof value === 'number' ? value : Number.NaN);
    const wrong = cache.cells.filter((c) => notLearning({ steps: c.steps, testAcc: c.testAcc, loss: loss(c.loss), classes: c.classes, learnable: c.data !== 'gaussian' }) !== (must(c) === 'fire'));
    assert.deepEqual(wrong.map((c) => `${c.act}+${c.init} d${c.depth} s${c.seed}: acc ${c.testAcc}, loss ${c.loss}`), []);
    assert.equal(cache.cells.filter((c) => must(c) === 'fire').length, 36);
  });
});

/**
 * The suite's share of the calibration grid (the whole grid, every depth and seeds 1–3 on both data
 * sets, is `node scripts/flag-calibration.mjs 256 --check`, run when the rules or the probe change):
 * every broken configuration, and each healthy pair at the grid's shallowest and deepest depth (the
 * gradient-energy ratio drifts with depth, docs/run.md "Flag rules", so depth 30 is where a healthy pair
 * comes closest to a gradient flag). One seed per data set (1 on gaussian, 2 on mnist) keeps seed
 * variation in the check at a sixth of the cost.
 */
const SUITE_CALIBRATION = CALIBRATION.filter((c) => c.expected !== 'healthy' || c.depth === HEALTHY_DEPTHS[0] || c.depth === HEALTHY_DEPTHS.at(-1));

describe('calibration at step 0, in-process: the extremes of the docs/run.md table, gaussian and mnist', () => {
  before(async () => {
    await selectBackend('auto');
  });
  // 256 probe samples: the saturated and dead shares are per (sample, unit) pair or per unit, and the
  // margins found with 512 samples (docs/run.md "Flag rules") are several times the change from 512 to 256.
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
