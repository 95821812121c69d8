import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '../src/backend/tf.js';
import { selectBackend } from '../src/backend/select.js';
import { UsageError } from '../src/config/errors.js';
import { distributionStd, parseInit } from '../src/model/initializers.js';
import { sampleWeights } from '../src/model/sampleWeights.js';
import { meanStd } from './helpers.js';

const FAN_IN = 784;
const FAN_OUT = 300;

/** The formula's std for each scheme, written out independently of the registry. */
const EXPECTED_STD: Record<string, (fanIn: number, fanOut: number) => number> = {
  normal1: () => 1,
  standard: (fanIn) => 1 / Math.sqrt(3 * fanIn),
  xavier: (fanIn, fanOut) => Math.sqrt(2 / (fanIn + fanOut)),
  glorot: (fanIn, fanOut) => Math.sqrt(2 / (fanIn + fanOut)),
  'xavier-uniform': (fanIn, fanOut) => Math.sqrt(6 / (fanIn + fanOut)) / Math.sqrt(3),
  // Glorot & Bengio's logistic row: 4 × Xavier.
  'xavier-logistic': (fanIn, fanOut) => 4 * Math.sqrt(2 / (fanIn + fanOut)),
  'xavier-logistic-uniform': (fanIn, fanOut) => (4 * Math.sqrt(6 / (fanIn + fanOut))) / Math.sqrt(3),
  he: (fanIn) => Math.sqrt(2 / fanIn),
  'he-uniform': (fanIn) => Math.sqrt(6 / fanIn) / Math.sqrt(3),
  lecun: (fanIn) => Math.sqrt(1 / fanIn),
  'lecun-uniform': (fanIn) => Math.sqrt(3 / fanIn) / Math.sqrt(3),
  'normal:0.01': () => 0.01,
  'uniform:0.05': () => 0.05 / Math.sqrt(3),
  'vs:scale=2,mode=fan_avg,dist=uniform': (fanIn, fanOut) => Math.sqrt(2 / ((fanIn + fanOut) / 2)),
  'vs:scale=3,mode=fan_out,dist=normal': (_fanIn, fanOut) => Math.sqrt(3 / fanOut),
  'vs:scale=2,mode=fan_in,dist=truncated': (fanIn) => Math.sqrt(2 / fanIn),
  orthogonal: (fanIn, fanOut) => 1 / Math.sqrt(Math.max(fanIn, fanOut)),
  'glorot-uniform': (fanIn, fanOut) => Math.sqrt(6 / (fanIn + fanOut)) / Math.sqrt(3),
  // The draws below use --act relu: the book's Table 11-1 ReLU row, √2 × Glorot.
  book: (fanIn, fanOut) => Math.SQRT2 * Math.sqrt(2 / (fanIn + fanOut)),
  'book-uniform': (fanIn, fanOut) => (Math.SQRT2 * Math.sqrt(6 / (fanIn + fanOut))) / Math.sqrt(3),
};

function draw(name: string, fanIn: number, fanOut: number, act: 'relu' | 'tanh' | 'sigmoid' = 'relu', gain = 1): Float32Array {
  const dist = parseInit(name).distribution(fanIn, fanOut, { act, gain });
  const weights = sampleWeights(dist, fanIn, fanOut, 1234);
  const values = weights.dataSync() as Float32Array;
  weights.dispose();
  return values;
}

describe('initializers: empirical mean and std on a 784×300 draw match the formula within 2%', () => {
  before(async () => {
    await selectBackend('auto');
  });
  for (const [name, expectedStd] of Object.entries(EXPECTED_STD)) {
    test(name, () => {
      // Orthogonal at 300×100: its QR (tf.linalg.qr) takes seconds at 784×300, and its std is fixed
      // by orthonormality (checked exactly below), not sampled, so the smaller shape tests the same.
      const [fanIn, fanOut] = name === 'orthogonal' ? [300, 100] : [FAN_IN, FAN_OUT];
      const target = expectedStd(fanIn, fanOut);
      const { mean, std } = meanStd(draw(name, fanIn, fanOut));
      assert.ok(Math.abs(std / target - 1) < 0.02, `std ${std} vs formula ${target}`);
      assert.ok(Math.abs(mean) < 0.02 * target, `mean ${mean} vs 2% of std ${target}`);
      const dist = parseInit(name).distribution(fanIn, fanOut, { act: 'relu', gain: 1 });
      assert.ok(Math.abs(distributionStd(dist, fanIn, fanOut) / target - 1) < 1e-12, 'reported std is the formula');
    });
  }

  for (const [name, limit] of [['he-uniform', Math.sqrt(6 / FAN_IN)], ['xavier-logistic-uniform', 4 * Math.sqrt(6 / (FAN_IN + FAN_OUT))]] as const) {
    test(`${name}: uniform draws stay inside ±r and reach near it`, () => {
      const values = draw(name, FAN_IN, FAN_OUT);
      const extreme = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      // 235,200 draws all fall below 0.999·r with probability 0.999^235200 ≈ e^−235.
      assert.ok(extreme <= limit && extreme > 0.999 * limit, `max |w| ${extreme} vs r ${limit}`);
    });
  }

  test('truncated normal is re-drawn beyond ±2σ of the widened draw', () => {
    const values = draw('vs:scale=2,mode=fan_in,dist=truncated', FAN_IN, FAN_OUT);
    const drawStd = Math.sqrt(2 / FAN_IN) / 0.87962566103423978;
    const extreme = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(extreme <= 2 * drawStd * 1.0001, `max |w| ${extreme} vs 2σ ${2 * drawStd}`);
  });

  test("tfjs's own heNormal is the ~12% narrow one vgrad avoids", () => {
    // Documents why sampleWeights exists: an uncorrected truncated normal has 0.88× the std.
    const t = tf.truncatedNormal([FAN_IN, FAN_OUT], 0, Math.sqrt(2 / FAN_IN), 'float32', 77);
    const { std } = meanStd(t.dataSync());
    t.dispose();
    assert.ok(Math.abs(std / Math.sqrt(2 / FAN_IN) - 0.8796) < 0.02, `uncorrected std ratio ${std / Math.sqrt(2 / FAN_IN)}`);
  });

  for (const [fanIn, fanOut] of [[300, 100], [100, 300], [64, 64]]) {
    test(`orthogonal ${fanIn}×${fanOut} has orthonormal columns or rows, times the gain`, () => {
      const gain = 1.5;
      const values = draw('orthogonal', fanIn, fanOut, 'relu', gain);
      const w = tf.tensor2d(values, [fanIn, fanOut]);
      const gram = fanIn >= fanOut ? tf.matMul(w, w, true, false) : tf.matMul(w, w, false, true);
      const size = Math.min(fanIn, fanOut);
      const diff = tf.sub(gram, tf.mul(tf.eye(size), gain * gain));
      const worst = tf.max(tf.abs(diff)).dataSync()[0];
      tf.dispose([w, gram, diff]);
      assert.ok(worst < 1e-4, `max |WᵀW − g²I| = ${worst}`);
    });
  }

  test('the same seed gives the same weights; another seed different ones', () => {
    const dist = parseInit('he').distribution(50, 40, { act: 'relu', gain: 1 });
    const a = sampleWeights(dist, 50, 40, 99);
    const b = sampleWeights(dist, 50, 40, 99);
    const c = sampleWeights(dist, 50, 40, 100);
    assert.deepEqual(a.dataSync(), b.dataSync());
    assert.notDeepEqual(a.dataSync(), c.dataSync());
    tf.dispose([a, b, c]);
  });
});

describe("the book's Table 11-1 (Géron, 1st ed., ch. 11)", () => {
  const fanSum = FAN_IN + FAN_OUT;
  test('logistic row: r = √(6/(n_in+n_out)), σ = √(2/(n_in+n_out))', () => {
    assert.deepEqual(parseInit('book-uniform').distribution(FAN_IN, FAN_OUT, { act: 'sigmoid', gain: 1 }), { kind: 'uniform', limit: Math.sqrt(6 / fanSum) });
    assert.deepEqual(parseInit('book').distribution(FAN_IN, FAN_OUT, { act: 'sigmoid', gain: 1 }), { kind: 'normal', std: Math.sqrt(2 / fanSum) });
  });
  test('tanh row keeps the book\'s error: 4× the Glorot value', () => {
    assert.deepEqual(parseInit('book').distribution(FAN_IN, FAN_OUT, { act: 'tanh', gain: 1 }), { kind: 'normal', std: 4 * Math.sqrt(2 / fanSum) });
  });
  test('ReLU row, for relu, leaky-relu and elu: √2 × Glorot', () => {
    for (const act of ['relu', 'leaky-relu', 'elu'] as const) {
      assert.deepEqual(parseInit('book-uniform').distribution(FAN_IN, FAN_OUT, { act, gain: 1 }), { kind: 'uniform', limit: Math.SQRT2 * Math.sqrt(6 / fanSum) });
    }
  });
  test('activations without a row are rejected with the rows that exist', () => {
    assert.throws(() => parseInit('book').distribution(FAN_IN, FAN_OUT, { act: 'selu', gain: 1 }), (e: Error) => e instanceof UsageError && /no row for --act selu/.test(e.message));
  });
});

describe('parseInit', () => {
  test('aliases and case', () => {
    assert.equal(parseInit('Glorot').name, 'xavier');
    assert.equal(parseInit('glorot-uniform').name, 'xavier-uniform');
  });
  test('vs: defaults are scale 1, fan_in, normal', () => {
    assert.equal(parseInit('vs:scale=1').name, 'vs:scale=1,mode=fan_in,dist=normal');
  });
  for (const bad of ['nope', 'vs:', 'vs:scale=-1', 'vs:scale=abc', 'vs:mode=fan_sum', 'vs:dist=cauchy', 'vs:size=3', 'vs:scale', 'normal:0', 'normal:x', 'uniform:-2']) {
    test(`rejects '${bad}' with a one-line UsageError naming --init`, () => {
      assert.throws(() => parseInit(bad), (e: Error) => e instanceof UsageError && e.message.startsWith('--init') && !e.message.includes('\n'));
    });
  }
});
