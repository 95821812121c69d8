/**
 * Every threshold probed just inside and just outside, in-process (no child, no tensor): the flag
 * rules (saturated, dead, vanishing/exploding), a sweep cell's verdict over time (healthy at step 0
 * and vanishing at the end; diverged only after step 5), the theory overlay's ≠ at 3 sd, an
 * experiment file's bounds, and the end-of-sweep table's folding and geometric means on rows made
 * here (a zero ratio, an infinite one, a NaN one, mixed verdicts within a configuration).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Chalk } from 'chalk';
import { DEAD_RISE, GRADIENT_SPAN, judge, saturationBaseline, SATURATION_MARGIN, type VerdictStats } from '../src/probes/verdicts.js';
import { DIFFERENCE_SDS, differsBeyondSpread, toleratedRange } from '../src/theory/overlay.js';
import { checkExpectation, type Expectation } from '../src/sweep/expectations.js';
import { rowFromRecord, type SummaryRow } from '../src/sweep/summary.js';
import { renderSweepTable } from '../src/report/sweepTable.js';
import type { RunRecord } from '../src/store/record.js';

const EPS = 1e-9;
const HEALTHY: VerdictStats = { preactVar: 1, actVar: 1, gradVar: 1e-2, weightGradNorm: 1, saturated: 0, dead: 0 };
const stats = (over: Partial<VerdictStats> = {}): VerdictStats => ({ ...HEALTHY, ...over });

describe('flag rules just inside and just outside each threshold', () => {
  test(`saturated: above baseline + ${SATURATION_MARGIN}, for every activation; exactly at it is not`, () => {
    for (const act of ['relu', 'leaky-relu', 'elu', 'selu', 'sigmoid', 'tanh', 'softsign', 'linear'] as const) {
      const line = saturationBaseline(act) + SATURATION_MARGIN;
      const at = (share: number) => judge({ act, alpha: 0.01, layers: [{ kind: 'hidden', fanIn: 10, fanOut: 10, stats: stats({ saturated: share }) }, { kind: 'output', fanIn: 10, fanOut: 10, stats: stats({ saturated: null, dead: null }) }] }).verdict;
      if (line < 1) {
        assert.equal(at(line), 'healthy', `${act} at ${line}`);
        assert.equal(at(line + EPS), 'saturated', `${act} just above ${line}`);
      }
      assert.equal(at(line - EPS), 'healthy', `${act} just below ${line}`);
    }
  });

  test(`dead: a rise of more than ${DEAD_RISE} since step 0; just under is healthy`, () => {
    const rose = (rise: number) =>
      judge({ act: 'relu', alpha: 0, layers: [{ kind: 'hidden', fanIn: 10, fanOut: 10, stats: stats({ dead: 0.25 + rise }), initial: stats({ dead: 0.25 }) }, { kind: 'output', fanIn: 10, fanOut: 10, stats: stats({ saturated: null, dead: null }) }] }).verdict;
    assert.equal(rose(DEAD_RISE - EPS), 'healthy');
    assert.equal(rose(DEAD_RISE + EPS), 'dead');
  });

  test(`vanishing and exploding: a gradient energy ratio beyond 1/${GRADIENT_SPAN} or ${GRADIENT_SPAN}, by a hair each way`, () => {
    const at = (ratio: number) =>
      judge({ act: 'tanh', alpha: 0, layers: [{ kind: 'hidden', fanIn: 10, fanOut: 10, stats: stats({ gradVar: ratio * 1e-2 }) }, { kind: 'hidden', fanIn: 10, fanOut: 10, stats: stats() }, { kind: 'output', fanIn: 10, fanOut: 10, stats: stats({ saturated: null, dead: null }) }] }).verdict;
    assert.equal(at((1 / GRADIENT_SPAN) * (1 + 1e-6)), 'healthy');
    assert.equal(at((1 / GRADIENT_SPAN) * (1 - 1e-6)), 'vanishing');
    assert.equal(at(GRADIENT_SPAN * (1 - 1e-6)), 'healthy');
    assert.equal(at(GRADIENT_SPAN * (1 + 1e-6)), 'exploding');
  });
});

/** A stored run record with hidden layers of width 10 and these step-0 and end statistics (gradVar per layer, bottom first). */
function record(options: { initGrad: number[]; endGrad: number[]; status?: 'ok' | 'diverged'; divergedAt?: number | null; steps?: number; endLoss?: number }): RunRecord {
  const hidden = options.initGrad.map((g, i) => ({
    index: i + 1,
    kind: 'hidden' as const,
    fanIn: 10,
    fanOut: 10,
    initial: { ...stats({ gradVar: g }), weightStd: 0.1, preactMean: 0, actMean: 0, weightGradVar: 1, updateRatio: null },
    final: { ...stats({ gradVar: options.endGrad[i] }), weightStd: 0.1, preactMean: 0, actMean: 0, weightGradVar: 1, updateRatio: 1e-3 },
  }));
  const out = { index: hidden.length + 1, kind: 'output' as const, fanIn: 10, fanOut: 10, initial: { ...hidden[0].initial, saturated: null, dead: null }, final: { ...hidden[0].final, saturated: null, dead: null } };
  const steps = options.steps ?? 20;
  return {
    config: { act: 'tanh', alpha: 0.01, layers: hidden.map(() => 10), depth: hidden.length, seed: 1, steps },
    data: { name: 'gaussian', trainSamples: 64, testSamples: 64, probeSamples: 32, features: 784 },
    status: options.status ?? 'ok',
    divergedAt: options.divergedAt ?? null,
    final: { step: steps, loss: options.endLoss ?? 2.3, trainAcc: 0.1, testAcc: 0.1 },
    layers: [...hidden, out],
  } as unknown as RunRecord;
}

describe("a sweep cell's verdicts over time (summary row)", () => {
  test('healthy at step 0, vanishing at the end: verdictInit healthy, verdictEnd vanishing, verdict vanishing', () => {
    const row = rowFromRecord('c', {} as SummaryRow['config'], record({ initGrad: [1e-2, 1e-2, 1e-2], endGrad: [1e-7, 1e-4, 1e-2] }));
    assert.deepEqual([row.verdictInit, row.verdictEnd, row.verdict], ['healthy', 'vanishing', 'vanishing']);
    assert.ok(Math.abs(row.gradEnergyRatioEnd! / 1e-5 - 1) < 1e-9);
  });

  test('vanishing at step 0 and healthy at the end: the cell is still vanishing (the more severe)', () => {
    const row = rowFromRecord('c', {} as SummaryRow['config'], record({ initGrad: [1e-7, 1e-4, 1e-2], endGrad: [1e-2, 1e-2, 1e-2] }));
    assert.deepEqual([row.verdictInit, row.verdictEnd, row.verdict], ['vanishing', 'healthy', 'vanishing']);
  });

  test('diverged at step 6 (after step 5): step 0 keeps its own verdict, the end and the cell are diverged', () => {
    const late = rowFromRecord('c', {} as SummaryRow['config'], record({ initGrad: [1e-2, 1e-2], endGrad: [NaN, NaN], status: 'diverged', divergedAt: 6, steps: 6, endLoss: NaN }));
    assert.deepEqual([late.verdictInit, late.verdictEnd, late.verdict, late.divergedAt], ['healthy', 'diverged', 'diverged', 6]);
    assert.ok(Number.isNaN(late.gradEnergyRatioEnd!));
    const atZero = rowFromRecord('c', {} as SummaryRow['config'], record({ initGrad: [1e-2, 1e-2], endGrad: [1e-2, 1e-2], status: 'diverged', divergedAt: 0, steps: 0 }));
    assert.equal(atZero.verdictInit, 'diverged', 'diverged at step 0 is diverged at step 0');
  });

  test('exploding at step 0 outranks dead at the end; diverged outranks exploding', () => {
    const row = rowFromRecord('c', {} as SummaryRow['config'], record({ initGrad: [1e3, 1e-6], endGrad: [1e-2, 1e-2] }));
    assert.equal(row.verdictInit, 'exploding');
    assert.equal(row.verdict, 'exploding');
    const both = rowFromRecord('c', {} as SummaryRow['config'], record({ initGrad: [1e3, 1e-6], endGrad: [NaN, NaN], status: 'diverged', divergedAt: 3, steps: 3 }));
    assert.deepEqual([both.verdictInit, both.verdict], ['exploding', 'diverged']);
  });
});

describe('theory overlay ≠ at 3 sd', () => {
  test(`a ratio just inside ${DIFFERENCE_SDS} sd of the expected log ratio is not marked, just outside is, on both sides`, () => {
    for (const spread of [{ center: 0, sd: 0.1 }, { center: -0.3, sd: 0.02 }, { center: 0.7, sd: 1.5 }]) {
      for (const side of [-1, 1]) {
        const inside = Math.exp(spread.center + side * DIFFERENCE_SDS * spread.sd * (1 - 1e-6));
        const outside = Math.exp(spread.center + side * DIFFERENCE_SDS * spread.sd * (1 + 1e-6));
        assert.equal(differsBeyondSpread(inside, spread), false, `inside ${JSON.stringify(spread)} ${side}`);
        assert.equal(differsBeyondSpread(outside, spread), true, `outside ${JSON.stringify(spread)} ${side}`);
      }
      const [low, high] = toleratedRange(spread);
      assert.ok(!differsBeyondSpread(low * (1 + 1e-6), spread) && differsBeyondSpread(low * (1 - 1e-6), spread), 'the printed range is the ≠ line (low)');
      assert.ok(!differsBeyondSpread(high * (1 - 1e-6), spread) && differsBeyondSpread(high * (1 + 1e-6), spread), 'the printed range is the ≠ line (high)');
    }
    assert.equal(differsBeyondSpread(0, { center: 0, sd: 0.1 }), true, 'measured 0 where something was predicted');
    assert.equal(differsBeyondSpread(null, { center: 0, sd: 0.1 }), false, 'unknown is not a difference');
  });
});

function summaryRow(cell: string, config: Record<string, unknown>, over: Partial<SummaryRow>): SummaryRow {
  return {
    cell, status: 'ok', config: config as unknown as SummaryRow['config'], divergedAt: null, finalStep: 10, finalLoss: 1, trainAcc: 0.5, testAcc: 0.5,
    gradEnergyRatioInit: 1, gradEnergyRatioEnd: 1, actVarRatioInit: 1, actVarRatioEnd: 1, saturatedInit: 0, deadInit: 0, saturatedEnd: 0, deadEnd: 0,
    verdict: 'healthy', verdictInit: 'healthy', verdictEnd: 'healthy', error: null, ...over,
  };
}

describe("an experiment file's bounds", () => {
  const rows = [summaryRow('a', { act: 'relu' }, { testAcc: 0.6, gradEnergyRatioInit: 1e-4 })];
  const check = (bounds: Expectation['bounds']) => checkExpectation({ says: 's', where: { act: 'relu' }, bounds }, rows).held;
  test('min and max are inclusive: the value itself holds, a hair beyond does not', () => {
    assert.equal(check({ testAcc: { min: 0.6 } }), true);
    assert.equal(check({ testAcc: { min: 0.6 + EPS } }), false);
    assert.equal(check({ testAcc: { max: 0.6 } }), true);
    assert.equal(check({ testAcc: { max: 0.6 - EPS } }), false);
    assert.equal(check({ gradEnergyRatioInit: { max: 1e-4 } }), true);
    assert.equal(check({ gradEnergyRatioInit: { max: 1e-4 * (1 - 1e-9) } }), false);
  });
  test('a missing value (null) breaks either bound; no matching cell breaks the expectation', () => {
    const none = [summaryRow('a', { act: 'relu' }, { testAcc: null })];
    assert.equal(checkExpectation({ says: 's', where: { act: 'relu' }, bounds: { testAcc: { min: 0 } } }, none).held, false);
    assert.equal(checkExpectation({ says: 's', where: { act: 'relu' }, bounds: { testAcc: { max: 1 } } }, none).held, false);
    assert.equal(checkExpectation({ says: 's', where: { act: 'tanh' }, bounds: {} }, rows).held, false);
  });
});

describe('the end-of-sweep table on rows made here', () => {
  const color = new Chalk({ level: 0 });
  const body = (text: string) => text.split('\n').filter((l) => l.startsWith('│')).slice(1).map((l) => l.split('│').slice(1, -1).map((c) => c.trim()));
  test('geometric mean over seeds: a zero ratio makes it 0, an infinite one +Inf, a NaN one is left out', () => {
    const rows = [
      summaryRow('z1', { act: 'relu', seed: 1 }, { gradEnergyRatioInit: 0, gradEnergyRatioEnd: 4 }),
      summaryRow('z2', { act: 'relu', seed: 2 }, { gradEnergyRatioInit: 1e-2, gradEnergyRatioEnd: NaN }),
      summaryRow('i1', { act: 'tanh', seed: 1 }, { gradEnergyRatioInit: Infinity, gradEnergyRatioEnd: 1e-2, verdict: 'dead', testAcc: 0.25 }),
      summaryRow('i2', { act: 'tanh', seed: 2 }, { gradEnergyRatioInit: 100, gradEnergyRatioEnd: 1e-4, testAcc: 0.5 }),
    ];
    const [relu, tanh] = body(renderSweepTable(rows, [{ key: 'act', values: ['relu', 'tanh'] }, { key: 'seed', values: ['1', '2'] }], color));
    assert.deepEqual(relu, ['relu', '2', 'healthy 2', '0.500', '0', '4.0e+0']);
    assert.deepEqual(tanh, ['tanh', '2', 'dead 1, healthy 1', '0.375', '+Inf', '1.0e-3']);
  });
});
