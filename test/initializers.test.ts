import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '../src/backend/tf.js';
import { selectBackend } from '../src/backend/select.js';
import { UsageError } from '../src/util/errors.js';
import { distributionStd, INITIALIZERS, parseInit } from '../src/model/initializers.js';
import { orthonormalFactor } from '../src/model/orthonormal.js';
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
  // The logistic row of the Theano tutorial and Bengio 2012: 4 × Xavier (Glorot & Bengio's eq. 16 has no 4).
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
  test('every registered scheme, alias and parametric example has its formula written out here', () => {
    // A new registry entry without a formula above would escape the draws below.
    const registered = INITIALIZERS.flatMap((entry) => (entry.form === 'fixed' ? [entry.name, ...entry.aliases] : [entry.example]));
    for (const name of registered) assert.ok(Object.hasOwn(EXPECTED_STD, name), `no expected std for ${name}`);
  });
  before(async () => {
    await selectBackend('auto');
  });
  for (const [name, expectedStd] of Object.entries(EXPECTED_STD)) {
    test(name, () => {
      const [fanIn, fanOut] = [FAN_IN, FAN_OUT];
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

  for (const [fanIn, fanOut] of [[784, 300], [100, 300], [64, 64]]) {
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

  test("orthogonal is tf.linalg.qr's Q of the same seeded Gaussian draw, R's diagonal signs folded in", () => {
    // The reference: tfjs's own QR (float32, Householder in tfjs ops) on the draw sampleWeights makes.
    for (const [fanIn, fanOut] of [[60, 20], [20, 60]]) {
      const [rows, cols] = [Math.max(fanIn, fanOut), Math.min(fanIn, fanOut)];
      const expected = tf.tidy(() => {
        const [q, r] = tf.linalg.qr(tf.randomNormal([rows, cols], 0, 1, 'float32', 1234));
        const folded = tf.mul(q, tf.sign(tf.sum(tf.mul(r, tf.eye(cols)), 0)));
        return (fanIn >= fanOut ? folded : tf.transpose(folded)).dataSync();
      });
      const actual = draw('orthogonal', fanIn, fanOut);
      // float32 QR against float64: agreement to ~1e-6 of entries of size ~1/√60.
      for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) < 2e-5, `${fanIn}×${fanOut} entry ${i}: ${actual[i]} vs ${expected[i]}`);
    }
  });

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

describe('orthonormalFactor: Q of A = QR, in float64', () => {
  // A fixed, non-symmetric 5×3 matrix with a negative pivot, so a sign fold is exercised.
  const A = [
    [-2, 1, 3],
    [1, 4, -1],
    [0.5, -3, 2],
    [3, 0, 1],
    [-1, 2, 5],
  ];
  const [rows, cols] = [A.length, A[0].length];
  const q = orthonormalFactor(A.flat(), rows, cols);
  const Q = (i: number, j: number) => q[i * cols + j];

  test('QᵀQ = I to float64 rounding', () => {
    for (let j = 0; j < cols; j++) {
      for (let k = 0; k < cols; k++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += Q(i, j) * Q(i, k);
        assert.ok(Math.abs(dot - (j === k ? 1 : 0)) < 1e-14, `column ${j}·${k} = ${dot}`);
      }
    }
  });

  test('R = QᵀA is upper triangular with a positive diagonal, and QR = A', () => {
    const R = (j: number, k: number) => A.reduce((sum, row, i) => sum + Q(i, j) * row[k], 0);
    for (let j = 0; j < cols; j++) {
      assert.ok(R(j, j) > 0, `R[${j}][${j}] = ${R(j, j)}`);
      for (let k = 0; k < j; k++) assert.ok(Math.abs(R(j, k)) < 1e-13, `R[${j}][${k}] = ${R(j, k)} below the diagonal`);
    }
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < cols; k++) {
        let qr = 0;
        for (let j = 0; j < cols; j++) qr += Q(i, j) * R(j, k);
        assert.ok(Math.abs(qr - A[i][k]) < 1e-13, `(QR)[${i}][${k}] = ${qr} vs ${A[i][k]}`);
      }
    }
    // Gram-Schmidt by hand on the first column: q₀ = a₀/‖a₀‖ (‖a₀‖ = √15.25), positive diagonal.
    const norm = Math.sqrt(4 + 1 + 0.25 + 9 + 1);
    for (let i = 0; i < rows; i++) assert.ok(Math.abs(Q(i, 0) - A[i][0] / norm) < 1e-15, `q₀[${i}]`);
  });

  test('a wide matrix or a wrong length is refused', () => {
    assert.throws(() => orthonormalFactor(new Float64Array(6), 2, 3), /rows ≥ cols/);
    assert.throws(() => orthonormalFactor(new Float64Array(5), 3, 2), /5 values for 3×2/);
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
