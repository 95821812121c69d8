/**
 * The mean-field theory against closed forms and brute-force integrals. Every reference value is
 * computed here from its formula (or a fine Simpson grid written here), never taken from src/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { layerMoments, predictNet } from '../src/theory/meanField.js';
import { compareWithPrediction, differsBeyondSpread } from '../src/theory/overlay.js';
import { finiteWidthCoefficients, finiteWidthSpread } from '../src/theory/finiteWidth.js';
import { ACTIVATION, ACTIVATIONS } from '../src/model/activations.js';
import { gaussianExpectation, gaussianMass } from '../src/theory/quadrature.js';
import { ROOT } from './helpers.js';

const SELU_LAMBDA = 1.0507009873554805; // Klambauer et al. 2017
const SELU_ALPHA = 1.6732632423543772;

/** Composite Simpson of f on [a, b] with `steps` (even) intervals. */
function simpson(f: (u: number) => number, a: number, b: number, steps: number): number {
  const h = (b - a) / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    sum += weight * f(a + i * h);
  }
  return (sum * h) / 3;
}

/**
 * E[g(u)], u ~ N(0, q), by composite Simpson on ±16√q with `steps` intervals in all: slow and
 * simple. The two halves meet at 0, each taking its one-sided value there (±1e-300), so a jump
 * of g at 0 (the ReLU family's slope) costs no accuracy.
 */
function bruteForce(g: (u: number) => number, q: number, steps = 2_000_000): number {
  const reach = 16 * Math.sqrt(q);
  const f = (u: number) => g(u) * Math.exp((-u * u) / (2 * q));
  return (simpson(f, -reach, -1e-300, steps / 2) + simpson(f, 1e-300, reach, steps / 2)) / Math.sqrt(2 * Math.PI * q);
}

const sech2 = (u: number) => 1 / Math.cosh(u) ** 2;
const relClose = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.abs(expected), `${what}: ${actual} vs ${expected} (rel tol ${tol})`);

function uniformNet(act: Parameters<typeof predictNet>[0]['act'], sigmaW2: number, depth: number, width = 100, alpha = 0) {
  const sizes = [width, ...Array(depth).fill(width), 10];
  return predictNet({ sizes, act, alpha, sigmaW2: Array(depth + 1).fill(sigmaW2), inputSecondMoment: 1 });
}

describe('Gaussian quadrature', () => {
  test('polynomials and kinks: E[u²] = q, E[relu(u)²] = q/2, E[|u|] = √(2q/π), for q from 1e-6 to 1e4', () => {
    for (const q of [1e-6, 0.3, 1, 90, 1e4]) {
      relClose(gaussianExpectation((u) => u * u, q), q, 1e-10, `E[u²] at q=${q}`);
      relClose(gaussianExpectation((u) => (u > 0 ? u * u : 0), q, [0]), q / 2, 1e-10, `E[relu²] at q=${q}`);
      relClose(gaussianExpectation(Math.abs, q, [0]), Math.sqrt((2 * q) / Math.PI), 1e-10, `E|u| at q=${q}`);
    }
  });

  test("E[tanh'(u)²] and E[tanh(u)²] agree with a 2-million-step Simpson grid to 1e-6 for q up to 1e4", () => {
    for (const q of [0.01, 1, 90, 1e4]) {
      relClose(gaussianExpectation((u) => sech2(u) ** 2, q), bruteForce((u) => sech2(u) ** 2, q), 1e-6, `E[tanh'²] at q=${q}`);
      relClose(gaussianExpectation((u) => Math.tanh(u) ** 2, q), bruteForce((u) => Math.tanh(u) ** 2, q), 1e-6, `E[tanh²] at q=${q}`);
    }
  });

  test('every activation: E[φ²] and E[φ\'²] agree with the Simpson grid to 1e-6 at q = 1 and q = 1e4', () => {
    const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));
    const cases: [string, (u: number) => number, (u: number) => number][] = [
      ['sigmoid', sigmoid, (u) => sigmoid(u) * (1 - sigmoid(u))],
      ['softsign', (u) => u / (1 + Math.abs(u)), (u) => 1 / (1 + Math.abs(u)) ** 2],
      ['elu', (u) => (u > 0 ? u : Math.exp(u) - 1), (u) => (u > 0 ? 1 : Math.exp(u))],
      ['selu', (u) => SELU_LAMBDA * (u > 0 ? u : SELU_ALPHA * (Math.exp(u) - 1)), (u) => SELU_LAMBDA * (u > 0 ? 1 : SELU_ALPHA * Math.exp(u))],
    ];
    for (const [name, phi, slope] of cases) {
      for (const q of [1, 1e4]) {
        const m = layerMoments(name as 'sigmoid', 0, q);
        relClose(m.secondMoment, bruteForce((u) => phi(u) ** 2, q), 1e-6, `${name} E[φ²] at q=${q}`);
        relClose(m.slopeSquare, bruteForce((u) => slope(u) ** 2, q), 1e-6, `${name} E[φ'²] at q=${q}`);
      }
    }
  });

  test('probabilities: P(u > √q) = Φ(−1), P(|u| < 2√q) = 1 − 2Φ(−2)', () => {
    const phiMinus1 = 0.15865525393145705; // Φ(−1) = erfc(1/√2)/2
    const phiMinus2 = 0.022750131948179207; // Φ(−2)
    for (const q of [0.01, 1, 400]) {
      relClose(gaussianMass(Math.sqrt(q), Infinity, q), phiMinus1, 1e-9, `P(u > √q) at q=${q}`);
      relClose(gaussianMass(-2 * Math.sqrt(q), 2 * Math.sqrt(q), q), 1 - 2 * phiMinus2, 1e-9, `P(|u| < 2√q) at q=${q}`);
    }
  });
});

describe('mean-field recursion: closed forms', () => {
  test('ReLU: q grows by exactly σw²/2 per layer, and χ = σw²/2 (He: 1, Xavier on square layers: 1/2)', () => {
    for (const sigmaW2 of [2, 1, 3.7]) {
      const { layers } = uniformNet('relu', sigmaW2, 6);
      for (let l = 1; l < layers.length; l++) relClose(layers[l].preactVar / layers[l - 1].preactVar, sigmaW2 / 2, 1e-10, `q ratio, σw²=${sigmaW2}`);
      for (const layer of layers.slice(0, -1)) relClose(layer.chi!, sigmaW2 / 2, 1e-10, `χ, σw²=${sigmaW2}`);
    }
  });

  test('leaky ReLU with slope a: q grows by σw²(1+a²)/2 per layer (He et al. 2015)', () => {
    const a = 0.3;
    const { layers } = uniformNet('leaky-relu', 2, 4, 100, a);
    for (let l = 1; l < layers.length; l++) relClose(layers[l].preactVar / layers[l - 1].preactVar, 1 + a * a, 1e-10, 'leaky q ratio');
    relClose(layers[0].chi!, 1 + a * a, 1e-10, 'leaky χ');
  });

  test('SELU + LeCun: q = 1 is a fixed point with mean 0, and χ = λ²(½ + α²e²Φ(−2)) ≈ 1.0716', () => {
    const phiMinus2 = 0.022750131948179207;
    const chi = SELU_LAMBDA ** 2 * (0.5 + SELU_ALPHA ** 2 * Math.exp(2) * phiMinus2);
    assert.ok(Math.abs(chi - 1.072) < 1e-3, `formula gives ${chi}`); // the reference table's 1.072
    const { layers, depthScale } = uniformNet('selu', 1, 8);
    for (const layer of layers) relClose(layer.preactVar, 1, 1e-6, 'SELU q');
    for (const layer of layers.slice(0, -1)) {
      assert.ok(Math.abs(layer.actMean!) < 1e-6, `SELU mean ${layer.actMean}`);
      relClose(layer.chi!, chi, 1e-8, 'SELU χ');
    }
    relClose(depthScale.qStar, 1, 1e-6, 'SELU q*');
  });

  test('tanh + N(0,1) at width 100 (σw² = 100): q* ≈ 92 and χ ≈ 5.5 (exploding), as a brute-force fixed point', () => {
    // Iterate q ← 100·E[tanh(u)²] with the Simpson reference; 30 rounds settle to 1e-12.
    let q = 100;
    for (let i = 0; i < 30; i++) q = 100 * bruteForce((u) => Math.tanh(u) ** 2, q, 400_000);
    const chi = 100 * bruteForce((u) => sech2(u) ** 2, q, 400_000);
    assert.ok(q > 89 && q < 93 && chi > 5.4 && chi < 5.6, `reference q* ${q}, χ ${chi}`);
    const { depthScale, layers } = uniformNet('tanh', 100, 12);
    relClose(depthScale.qStar, q, 1e-6, 'tanh q*');
    relClose(depthScale.chiStar, chi, 1e-6, 'tanh χ*');
    assert.equal(depthScale.trend, 'exploding');
    relClose(depthScale.xi!, -1 / Math.log(chi), 1e-6, 'ξ = −1/ln χ');
    // Gradients grow toward the input: each layer's ratio to the output rises going down.
    for (let l = 0; l + 2 < layers.length; l++) assert.ok(layers[l].gradVarRatio > layers[l + 1].gradVarRatio);
  });

  test('sigmoid + N(0,1) at width 100: q ≈ 44 and χ ≈ 0.99, carrying E[φ²] (mean ½ included), not Var φ', () => {
    let q = 100;
    for (let i = 0; i < 40; i++) q = 100 * bruteForce((u) => 1 / (1 + Math.exp(-u)) ** 2, q, 400_000);
    assert.ok(Math.abs(q - 44) < 1, `reference q* ${q}`);
    const { depthScale, layers } = uniformNet('sigmoid', 100, 12);
    relClose(depthScale.qStar, q, 1e-6, 'sigmoid q*');
    assert.ok(Math.abs(depthScale.chiStar - 0.99) < 0.01, `sigmoid χ* ${depthScale.chiStar}`);
    relClose(layers[3].actMean!, 0.5, 1e-9, 'sigmoid mean');
  });

  test('sigmoid at small q: the next q is σw²·(¼ + q/16) to first order — the mean dominates', () => {
    const q = 1e-6;
    const m = layerMoments('sigmoid', 0, q);
    relClose(m.secondMoment, 0.25 + q / 16, 1e-9, 'E[σ²] at small q');
    relClose(m.secondMoment - m.mean ** 2, q / 16, 1e-3, 'Var σ at small q');
  });

  test('linear: χ = σw² exactly, and q multiplies by σw² per layer', () => {
    const { layers } = uniformNet('linear', 4, 5);
    for (const layer of layers.slice(0, -1)) relClose(layer.chi!, 4, 1e-12, 'linear χ');
    for (let l = 1; l < layers.length; l++) relClose(layers[l].preactVar / layers[l - 1].preactVar, 4, 1e-12, 'linear q ratio');
  });

  test('unequal widths: the gradient ratio gains n(l+1)/n(l) per layer beside χ', () => {
    const p = predictNet({ sizes: [784, 300, 100, 10], act: 'linear', alpha: 0, sigmaW2: [1, 1, 1], inputSecondMoment: 1 });
    relClose(p.layers[1].gradVarRatio, 10 / 100, 1e-12, 'layer 2 ratio');
    relClose(p.layers[0].gradVarRatio, (10 / 100) * (100 / 300), 1e-12, 'layer 1 ratio');
  });

  test('saturated fraction: relu ½ exactly; tanh P(|u| > atanh(√0.95)), the probes\' 5%-of-max-slope rule', () => {
    assert.equal(layerMoments('relu', 0, 3).saturated, 0.5);
    const c = Math.atanh(Math.sqrt(0.95)); // tanh'(c) = 1 − tanh(c)² = 0.05
    for (const q of [0.5, 4, 100]) {
      const expected = bruteForce((u) => (Math.abs(u) > c ? 1 : 0), q, 2_000_000);
      assert.ok(Math.abs(layerMoments('tanh', 0, q).saturated - expected) < 1e-5, `tanh sat at q=${q}`);
    }
    // leaky-relu with a = 0.01 < 5% of its max slope 1: z < 0 counts; with a = 0.2 it does not.
    assert.equal(layerMoments('leaky-relu', 0.01, 1).saturated, 0.5);
    assert.equal(layerMoments('leaky-relu', 0.2, 1).saturated, 0);
  });
});

describe('finite-width spread: the coefficients of Σ 1/n, by hand', () => {
  test('each activation record says homogeneous exactly when φ(c·u) = c·φ(u) (c = 2, 3; u on ±5)', () => {
    for (const act of ACTIVATIONS) {
      const phi = (u: number) => ACTIVATION[act].phi(u, 0.01);
      let scales = true;
      for (let u = -5; u <= 5; u += 0.25) for (const c of [2, 3]) if (Math.abs(phi(c * u) - c * phi(u)) > 1e-12 * (1 + Math.abs(c * phi(u)))) scales = false;
      assert.equal(ACTIVATION[act].homogeneous, scales, act);
    }
  });

  test('ReLU: κ = E[φ⁴]/E[φ²]² − 1 = (3/2)/(1/4) − 1 = 5, κ\' = 3·(1/2)/(1/4) − 1 = 5, slopes 1 and 0, at any q', () => {
    for (const q of [1e-8, 1, 1e8]) {
      const c = finiteWidthCoefficients('relu', 0, q);
      relClose(c.kappa, 5, 1e-8, 'κ');
      relClose(c.kappaGrad, 5, 1e-8, "κ'");
      assert.equal(c.forwardSlope, 1);
      assert.equal(c.gradSlope, 0);
    }
  });

  test('leaky ReLU with slope a: κ = κ\' = 6(1 + a⁴)/(1 + a²)² − 1; linear: 2', () => {
    const a = 0.3;
    const expected = (6 * (1 + a ** 4)) / (1 + a * a) ** 2 - 1;
    relClose(finiteWidthCoefficients('leaky-relu', a, 2).kappa, expected, 1e-8, 'κ');
    relClose(finiteWidthCoefficients('leaky-relu', a, 2).kappaGrad, expected, 1e-8, "κ'");
    relClose(finiteWidthCoefficients('linear', 0, 5).kappa, 2, 1e-8, 'linear κ');
  });

  test('tanh: linear near q = 0 (κ → 2, slope → 1); saturated at large q (κ → 0, forward slope → 0, E[φ\'²] ∝ q^−½)', () => {
    const small = finiteWidthCoefficients('tanh', 0, 1e-6);
    relClose(small.kappa, 2, 1e-4, 'κ at q → 0');
    relClose(small.forwardSlope, 1, 1e-4, 't at q → 0');
    const big = finiteWidthCoefficients('tanh', 0, 1e6);
    assert.ok(big.kappa < 1e-2 && Math.abs(big.forwardSlope) < 1e-2, JSON.stringify(big));
    relClose(big.gradSlope, -0.5, 1e-2, "d ln E[φ'²]/d ln q at q = 1e6");
  });

  test('a uniform ReLU net of width 100: Var ln(z var) at layer l = 5·(l − 1)/100 + 2/100 + 2/(N·100); grad var: Σ above l of 5/100 + probe', () => {
    const p = uniformNet('relu', 2, 30, 100);
    const { preact, grad } = finiteWidthSpread(p, 'relu', 0, 512);
    for (const l of [1, 2, 15, 30]) {
      const v = (5 * (l - 1)) / 100 + 2 / 100 + 2 / (512 * 100);
      relClose(preact[l - 1].sd, Math.sqrt(v), 1e-9, `z sd at layer ${l}`);
      relClose(preact[l - 1].center, -v / 2, 1e-9, `z center at layer ${l}`);
      const g = (5 * (30 - l + 1)) / 100 + 2 / (512 * 100) + 2 / (512 * 10);
      relClose(grad[l - 1].sd, Math.sqrt(g), 1e-9, `grad sd at layer ${l}`);
    }
    assert.deepEqual(grad[30], { center: 0, sd: 0 }, 'the output layer is the anchor');
  });
});

describe('overlay: ≠ beyond the finite-width spread', () => {
  // relu + he at the default widths, depth 30: 784 → 300 → 100 × 29 → 10.
  const sizes = [784, 300, ...Array(29).fill(100), 10];
  const sigmaW2 = Array(31).fill(2);
  const prediction = predictNet({ sizes, act: 'relu', alpha: 0, sigmaW2, inputSecondMoment: 0.1 });
  const context = { act: 'relu' as const, alpha: 0, probeSamples: 512 };
  const spread = finiteWidthSpread(prediction, 'relu', 0, 512);
  /** Measured = predicted × e^(center + k·sd) at every layer: k standard deviations from the expected value. */
  const measuredAt = (k: number, planted = { preact: 1, chi: 1 }) =>
    prediction.layers.map((layer, l) => ({
      kind: layer.kind,
      fanIn: layer.fanIn,
      fanOut: layer.fanOut,
      initial: {
        preactVar: (layer.preactVar * Math.exp(spread.preact[l].center + k * spread.preact[l].sd)) / planted.preact,
        // The predicted grad var is anchored on the measured output layer's; a planted error in χ compounds going down.
        gradVar: layer.kind === 'output' ? 0.09 : (0.09 * layer.gradVarRatio * Math.exp(spread.grad[l].center + k * spread.grad[l].sd)) / planted.chi ** (30 - l),
      },
    }));

  test('boundary: 2.999 sd from the expected value is not marked, 3.001 sd is, on both sides and at every layer', () => {
    for (const k of [2.999, -2.999]) {
      const rows = compareWithPrediction(measuredAt(k), prediction, context);
      assert.ok(rows.every((row) => !row.preactDiffers && !row.gradDiffers), `k = ${k}`);
    }
    for (const k of [3.001, -3.001]) {
      const rows = compareWithPrediction(measuredAt(k), prediction, context);
      assert.ok(rows.every((row) => row.preactDiffers), `z at k = ${k}`);
      assert.ok(rows.slice(0, -1).every((row) => row.gradDiffers), `grad at k = ${k}`);
    }
  });

  test('the tolerated range is e^(center ± 3 sd): ×0.78–1.27 for z var at layer 1, wide at layer 30 (Σ 5/n over 29 layers)', () => {
    const rows = compareWithPrediction(measuredAt(0), prediction, context);
    // Layer 1: V = 2/300 + 2/(512·300) → sd 0.0817, center −0.0033.
    relClose(rows[0].preactRange[0], Math.exp(-0.003346 - 3 * 0.081799), 1e-3, 'low');
    relClose(rows[0].preactRange[1], Math.exp(-0.003346 + 3 * 0.081799), 1e-3, 'high');
    // Layer 30: V = 5/300 + 5·28/100 + 2/100 + 2/51200 = 1.4367 → sd 1.199, center −0.718.
    relClose(rows[29].preactSpread.sd, Math.sqrt(5 / 300 + 1.4 + 0.02 + 2 / 51200), 1e-9, 'sd at layer 30');
  });

  test('a planted 2× error in the theory is marked: z var 2× too high at layers 1 and 2; χ 2× too high at the lower layers', () => {
    const z = compareWithPrediction(measuredAt(0, { preact: 2, chi: 1 }), prediction, context);
    assert.ok(z[0].preactDiffers && z[1].preactDiffers, `z ÷ theory ${z[0].preactRatio}, ${z[1].preactRatio}`);
    const chi = compareWithPrediction(measuredAt(0, { preact: 1, chi: 2 }), prediction, context);
    assert.ok(chi.slice(0, 20).every((row) => row.gradDiffers), chi.map((row) => row.gradDiffers).join());
    // The same data without the error: nothing marked.
    assert.ok(compareWithPrediction(measuredAt(0), prediction, context).every((row) => !row.preactDiffers && !row.gradDiffers));
  });

  test('a zero where a positive value was predicted differs; an unknown ratio does not flag', () => {
    assert.equal(differsBeyondSpread(0, { center: 0, sd: 0.1 }), true);
    assert.equal(differsBeyondSpread(null, { center: 0, sd: 0.1 }), false);
  });
});

describe('src/theory is pure math', () => {
  test('no compiled theory module imports the backend or TensorFlow.js', () => {
    const dir = join(ROOT, 'dist', 'src', 'theory');
    const files = readdirSync(dir).filter((name) => name.endsWith('.js'));
    assert.ok(files.length >= 5, `theory modules: ${files.join(', ')}`);
    for (const name of files) {
      const imports = [...readFileSync(join(dir, name), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      for (const spec of imports) {
        assert.doesNotMatch(spec, /@tensorflow|backend|\/train\/|layerStats|\/model\/mlp|activationOps|sampleWeights/, `${name} imports ${spec}`);
      }
    }
  });
});
