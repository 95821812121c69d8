import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '../src/backend/tf.js';
import { selectBackend } from '../src/backend/select.js';
import { ACTIVATIONS, type ActivationName, maxSlope, SELU_ALPHA, SELU_LAMBDA } from '../src/model/activations.js';
import { activationOps } from '../src/model/activationOps.js';
import { batchTensors, disposeBatch, lossAndGradients, type Mlp, scoreLogProbs } from '../src/model/mlp.js';
import { probe } from '../src/probes/layerStats.js';

let counter = 0;
function mlpFrom(act: ActivationName, weights: number[][][], biases: number[][], alpha = 0.1): Mlp {
  counter++;
  return {
    sizes: [weights[0].length, ...weights.map((w) => w[0].length)],
    act,
    alpha,
    weights: weights.map((w, l) => tf.variable(tf.tensor2d(w), true, `probe-test-${counter}/W${l}`)),
    biases: biases.map((b, l) => tf.variable(tf.tensor1d(b), true, `probe-test-${counter}/b${l}`)),
    ops: activationOps(act, alpha),
  };
}

function close(actual: number | null, expected: number, what: string, tolerance = 2e-5) {
  assert.ok(actual !== null, `${what} is null`);
  const scale = Math.max(1e-6, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance * scale + 1e-7, `${what}: ${actual} vs expected ${expected}`);
}

before(async () => {
  await selectBackend('auto');
});

describe('probe statistics, computed by hand on a 2→3→2 ReLU net with two samples', () => {
  // z₁ = x·W₁: sample 1 → [2, 1, −2], sample 2 → [−1, 1, 0]; unit 3 is never active (φ'(0) = 0).
  const x = [[1, 2], [-1, 0]];
  const w1 = [[1, -1, 0], [0.5, 1, -1]];
  const w2 = [[1, 0], [0, 1], [1, 1]];
  const labels = [0, 0];
  const s = 1 / (1 + Math.exp(-1)); // softmax of logits differing by 1
  const a = 1 - s; // |∂ℓ/∂logit| for sample 1
  const b = s; // for sample 2, whose logits are [0, 1] with label 0

  test('every statistic', () => {
    const model = mlpFrom('relu', [w1, w2], [[0, 0, 0], [0, 0]]);
    const batch = batchTensors(Float32Array.from(x.flat()), labels, 2, 2);
    const result = probe(model, batch);
    const [hidden, output] = result.layers;

    close(result.probeLoss, (-Math.log(s) - Math.log(1 - s)) / 2, 'loss');
    close(result.probeAcc, 0.5, 'accuracy');

    close(hidden.weightStd, Math.sqrt(4.25 / 6 - (0.5 / 6) ** 2), 'weightStd');
    close(hidden.preactMean, 1 / 6, 'preactMean');
    close(hidden.preactVar, 11 / 6 - 1 / 36, 'preactVar');
    close(hidden.actMean, 2 / 3, 'actMean');
    close(hidden.actVar, 1 - 4 / 9, 'actVar');
    close(hidden.saturated, 0.5, 'saturated');
    close(hidden.dead, 1 / 3, 'dead');
    // Per-sample ∂ℓ/∂z₁: sample 1 [−a, a, 0], sample 2 [0, b, 0].
    const dz = [-a, a, 0, 0, b, 0];
    const dzMean = dz.reduce((p, v) => p + v, 0) / 6;
    close(hidden.gradVar, dz.reduce((p, v) => p + v * v, 0) / 6 - dzMean ** 2, 'gradVar');
    // ∂L/∂W₁ = xᵀ·∂L/∂z with L the batch mean.
    const dW = [-a / 2, (a - b) / 2, 0, -a, a, 0];
    const dWMean = dW.reduce((p, v) => p + v, 0) / 6;
    close(hidden.weightGradVar, dW.reduce((p, v) => p + v * v, 0) / 6 - dWMean ** 2, 'weightGradVar');
    close(hidden.weightGradNorm, Math.sqrt(dW.reduce((p, v) => p + v * v, 0)), 'weightGradNorm');
    assert.equal(hidden.updateRatio, null);

    // Output layer: logits [2, 1] and [0, 1]; per-sample ∂ℓ/∂logits [−a, a] and [−b, b].
    close(output.preactMean, 1, 'logit mean');
    close(output.preactVar, 6 / 4 - 1, 'logit var');
    close(output.actMean, 0.5, 'softmax mean');
    close(output.actVar, (2 * s * s + 2 * (1 - s) ** 2) / 4 - 0.25, 'softmax var');
    close(output.gradVar, (2 * a * a + 2 * b * b) / 4, 'output gradVar');
    assert.equal(output.saturated, null);
    assert.equal(output.dead, null);
    disposeBatch(batch);
    tf.dispose([...model.weights, ...model.biases]);
  });
});

/** Float64 reference: φ and φ' written from their definitions, and backprop by loops. */
function phi(act: ActivationName, z: number, alpha: number): number {
  switch (act) {
    case 'sigmoid': return 1 / (1 + Math.exp(-z));
    case 'tanh': return Math.tanh(z);
    case 'relu': return Math.max(0, z);
    case 'leaky-relu': return z > 0 ? z : alpha * z;
    case 'elu': return z > 0 ? z : Math.exp(z) - 1;
    case 'selu': return z > 0 ? SELU_LAMBDA * z : SELU_LAMBDA * SELU_ALPHA * (Math.exp(z) - 1);
    case 'softsign': return z / (1 + Math.abs(z));
    case 'linear': return z;
  }
}
function dphi(act: ActivationName, z: number, alpha: number): number {
  switch (act) {
    case 'sigmoid': { const s = phi('sigmoid', z, alpha); return s * (1 - s); }
    case 'tanh': return 1 - Math.tanh(z) ** 2;
    case 'relu': return z > 0 ? 1 : 0;
    case 'leaky-relu': return z > 0 ? 1 : alpha;
    case 'elu': return z > 0 ? 1 : Math.exp(z);
    case 'selu': return z > 0 ? SELU_LAMBDA : SELU_LAMBDA * SELU_ALPHA * Math.exp(z);
    case 'softsign': return 1 / (1 + Math.abs(z)) ** 2;
    case 'linear': return 1;
  }
}
const moments = (v: number[]) => {
  const mean = v.reduce((p, x) => p + x, 0) / v.length;
  return { mean, variance: v.reduce((p, x) => p + (x - mean) ** 2, 0) / v.length };
};

function referenceStats(act: ActivationName, alpha: number, x: number[][], ws: number[][][], bs: number[][], labels: number[]) {
  const B = x.length;
  const inputs: number[][][] = [];
  const zs: number[][][] = [];
  let input = x;
  ws.forEach((w, l) => {
    inputs.push(input);
    const z = input.map((row) => w[0].map((_, j) => row.reduce((p, v, i) => p + v * w[i][j], bs[l][j])));
    zs.push(z);
    input = z.map((row) => row.map((v) => phi(act, v, alpha)));
  });
  const logits = zs[zs.length - 1];
  const probs = logits.map((row) => { const m = Math.max(...row); const e = row.map((v) => Math.exp(v - m)); const s = e.reduce((p, v) => p + v, 0); return e.map((v) => v / s); });
  let dz = probs.map((row, n) => row.map((p, k) => p - (k === labels[n] ? 1 : 0))); // per sample
  const stats = new Array(ws.length);
  for (let l = ws.length - 1; l >= 0; l--) {
    const isOutput = l === ws.length - 1;
    const z = zs[l];
    const a = isOutput ? probs : z.map((row) => row.map((v) => phi(act, v, alpha)));
    const dW = ws[l].map((row, i) => row.map((_, j) => inputs[l].reduce((p, inRow, n) => p + inRow[i] * dz[n][j], 0) / B));
    const slopes = z.map((row) => row.map((v) => Math.abs(dphi(act, v, alpha))));
    stats[l] = {
      weightStd: Math.sqrt(moments(ws[l].flat()).variance),
      preactMean: moments(z.flat()).mean,
      preactVar: moments(z.flat()).variance,
      actMean: moments(a.flat()).mean,
      actVar: moments(a.flat()).variance,
      saturated: isOutput ? null : slopes.flat().filter((v) => v < 0.05 * maxSlope(act, alpha)).length / slopes.flat().length,
      dead: isOutput ? null : z[0].filter((_, j) => slopes.every((row) => row[j] === 0)).length / z[0].length,
      gradVar: moments(dz.flat()).variance,
      weightGradVar: moments(dW.flat()).variance,
      weightGradNorm: Math.sqrt(dW.flat().reduce((p, v) => p + v * v, 0)),
    };
    if (l > 0) dz = dz.map((row, n) => ws[l].map((wRow, i) => wRow.reduce((p, w, j) => p + w * row[j], 0) * dphi(act, zs[l - 1][n][i], alpha)));
  }
  return stats;
}

/** Small deterministic pseudo-random numbers, so the reference sees the same float32 values. */
function grid(rows: number, cols: number, seed: number, scale: number): number[][] {
  let state = seed;
  const next = () => { state = (state * 1103515245 + 12345) % 2147483648; return Math.fround(((state / 2147483648) * 2 - 1) * scale); };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, next));
}

describe('scoring log-probabilities', () => {
  test('mean negative log-likelihood and argmax hits', () => {
    const logProbs = [Math.log(0.7), Math.log(0.2), Math.log(0.1), Math.log(0.3), Math.log(0.3), Math.log(0.4)];
    const { loss, correct } = scoreLogProbs(logProbs, [0, 1], 3);
    close(loss, (-Math.log(0.7) - Math.log(0.3)) / 2, 'loss');
    assert.equal(correct, 1);
  });
});

describe('probe statistics against a float64 reference, every activation, 5→4→3→3 net', () => {
  for (const act of ACTIVATIONS) {
    test(act, () => {
      const x = grid(6, 5, 1, 2);
      const ws = [grid(5, 4, 2, 1.2), grid(4, 3, 3, 1.2), grid(3, 3, 4, 1.2)];
      const bs = [grid(1, 4, 5, 0.3)[0], grid(1, 3, 6, 0.3)[0], grid(1, 3, 7, 0.3)[0]];
      const labels = [0, 1, 2, 1, 0, 2];
      const model = mlpFrom(act, ws, bs);
      const batch = batchTensors(Float32Array.from(x.flat()), labels, 5, 3);
      const measured = probe(model, batch).layers;
      const expected = referenceStats(act, model.alpha, x, ws, bs, labels);
      expected.forEach((layerExpected, l) => {
        for (const [key, value] of Object.entries(layerExpected)) {
          const got = (measured[l] as unknown as Record<string, number | null>)[key];
          if (value === null) assert.equal(got, null, `${act} layer ${l + 1} ${key}`);
          else close(got, value as number, `${act} layer ${l + 1} ${key}`, 1e-4);
        }
      });
      disposeBatch(batch);
    tf.dispose([...model.weights, ...model.biases]);
    });
  }
});

/** Mean softmax cross-entropy in float64. */
function referenceLoss(act: ActivationName, alpha: number, x: number[][], ws: number[][][], bs: number[][], labels: number[]): number {
  let a = x;
  ws.forEach((w, l) => {
    const z = a.map((row) => w[0].map((_, j) => row.reduce((p, v, i) => p + v * w[i][j], bs[l][j])));
    a = l < ws.length - 1 ? z.map((row) => row.map((v) => phi(act, v, alpha))) : z;
  });
  return a.reduce((total, row, n) => {
    const m = Math.max(...row);
    const logSum = m + Math.log(row.reduce((p, v) => p + Math.exp(v - m), 0));
    return total + logSum - row[labels[n]];
  }, 0) / x.length;
}

describe('the explicit backward pass equals float64 central differences of the loss', () => {
  for (const act of ACTIVATIONS) {
    test(act, () => {
      const x = grid(9, 7, 17, 1.5);
      const ws = [grid(7, 6, 11, 0.8), grid(6, 5, 12, 0.8), grid(5, 4, 13, 0.8)];
      const bs = [grid(1, 6, 14, 0.2)[0], grid(1, 5, 15, 0.2)[0], grid(1, 4, 16, 0.2)[0]];
      const labels = [0, 1, 2, 3, 0, 1, 2, 3, 0];
      const model = mlpFrom(act, ws, bs);
      const batch = batchTensors(Float32Array.from(x.flat()), labels, 7, 4);
      const explicit = tf.tidy(() => {
        const g = lossAndGradients(model, batch);
        return [g.logProbs, ...g.weightGrads, ...g.biasGrads];
      });
      const [logProbs, ...gradTensors] = explicit;
      close(scoreLogProbs(logProbs.dataSync(), labels, 4).loss, referenceLoss(act, model.alpha, x, ws, bs, labels), `${act} loss`, 1e-5);
      const h = 1e-6;
      const params: number[][][] = [...ws, ...bs.map((b) => [b])];
      params.forEach((param, p) => {
        const got = gradTensors[p].dataSync();
        const numeric = param.flat().map((_, k) => {
          const row = Math.floor(k / param[0].length);
          const col = k % param[0].length;
          const saved = param[row][col];
          param[row][col] = saved + h;
          const up = referenceLoss(act, model.alpha, x, ws, bs, labels);
          param[row][col] = saved - h;
          const down = referenceLoss(act, model.alpha, x, ws, bs, labels);
          param[row][col] = saved;
          return (up - down) / (2 * h);
        });
        const scale = Math.max(...numeric.map(Math.abs), 1e-6);
        const worst = Math.max(...numeric.map((v, k) => Math.abs(v - got[k])));
        assert.ok(worst <= 1e-4 * scale, `${act} parameter ${p}: max diff ${worst} (scale ${scale})`);
      });
      disposeBatch(batch);
      tf.dispose([...explicit, ...model.weights, ...model.biases]);
    });
  }
});

describe('moments cannot overflow while the values are finite', () => {
  // Inputs near 1e30: every z, a and ∂L/∂W is finite in float32, but their squares (1e60) are not.
  // A float32 reduction of x² would read +Inf; the probe must match float64 to float32 rounding.
  for (const act of ['relu', 'tanh'] as const) {
    test(`${act}: |z| ≈ 1e30, variances ≈ 1e60, against float64`, () => {
      const x = grid(6, 5, 21, 2).map((row) => row.map((v) => Math.fround(v * 1e30)));
      const ws = [grid(5, 4, 22, 1.2), grid(4, 3, 23, 1.2), grid(3, 3, 24, 1.2)];
      const bs = [grid(1, 4, 25, 0.3)[0], grid(1, 3, 26, 0.3)[0], grid(1, 3, 27, 0.3)[0]];
      const labels = [0, 1, 2, 1, 0, 2];
      const model = mlpFrom(act, ws, bs);
      const batch = batchTensors(Float32Array.from(x.flat()), labels, 5, 3);
      const measured = probe(model, batch).layers;
      const expected = referenceStats(act, model.alpha, x, ws, bs, labels);
      assert.ok(expected[0].preactVar > 1e58, `the reference really is beyond float32: ${expected[0].preactVar}`);
      expected.forEach((layerExpected, l) => {
        for (const [key, value] of Object.entries(layerExpected)) {
          const got = (measured[l] as unknown as Record<string, number | null>)[key];
          if (value === null) assert.equal(got, null, `${act} layer ${l + 1} ${key}`);
          // Relative 1e-4: float32 rounding of z (1e-7 relative) through three layers and the scaling.
          else close(got, value as number, `${act} layer ${l + 1} ${key}`, 1e-4);
        }
      });
      disposeBatch(batch);
      tf.dispose([...model.weights, ...model.biases]);
    });
  }
});
