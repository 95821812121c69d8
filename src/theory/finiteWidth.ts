/**
 * How far one finite net's step-0 statistics are expected to stray from the mean-field prediction,
 * which is exact only as every width → ∞. Pure math.
 *
 * The law (Hanin 2018; Hanin & Rolnick 2018; Hanin & Nica 2019): in a deep fully connected net the
 * logarithm of a layer's squared activation or gradient norm is close to Gaussian, its variance a
 * sum of 1/n_l over the layers it passed, so two inits of the same net differ by a factor that
 * widens with Σ 1/n_l. The coefficient of each 1/n_l is worked out here for any φ, by linearizing
 * the finite-width recursion on the log scale (for ReLU it is the 5 of Hanin & Nica's 5·Σ 1/n_l):
 *
 * - Forward. Given layer k−1, layer k's units are i.i.d. with z ~ N(0, s_k); the next layer's scale
 *   is s_{k+1} = σw²·(1/n_k)·Σ_j φ(z_j)². That average has relative variance κ_k/n_k, with
 *   κ = E[φ⁴]/E[φ²]² − 1 (5 for ReLU, 2 for a linear unit), and a deviation of ln s_k reaches it
 *   scaled by t_k = d ln E[φ²]/d ln q (1 for ReLU, below 1 for a saturating φ). So
 *   D_{k+1} = t_k²·D_k + κ_k/n_k is the variance of ln s_{k+1}, D_1 = 0 (the input is fixed), and
 *   the measured z var, an average of z² over n_k units, adds 2/n_k.
 * - Backward. ∂ℓ/∂z_k = φ'(z_k) ⊙ W_{k+1}·∂ℓ/∂z_{k+1}; with the gradient-independence assumption of
 *   mean-field theory the unit average of its square has relative variance κ'_k/n_k with
 *   κ' = 3·E[φ'⁴]/E[φ'²]² − 1 (5 for ReLU), and its mean moves with the forward scale by
 *   s'_k = d ln E[φ'²]/d ln q (0 for ReLU). Summed from layer l up to the top hidden layer: the
 *   grad var's ratio to the output layer's, which is what the prediction anchors on.
 * - The probe batch: N samples × n_l units in each variance, 2/(N·n_l) on the log scale.
 *
 * A log-normal whose mean is the prediction has its median V/2 below it (E[q̂] = q exactly for
 * ReLU at any width), so the expected ln(measured ÷ predicted) is −V/2, spread √V.
 */
import { ACTIVATION, type ActivationName } from '../model/activations.js';
import { scalarActivation } from './activationMath.js';
import type { Prediction } from './meanField.js';
import { gaussianExpectation } from './quadrature.js';

/** The spread of ln(measured ÷ predicted): its expected value and its standard deviation. */
export interface LogSpread {
  center: number;
  sd: number;
}

/** Per-layer coefficients of 1/n in the variance of the log-statistics (see the module comment). */
export interface FiniteWidthCoefficients {
  /** E[φ⁴]/E[φ²]² − 1. */
  kappa: number;
  /** d ln E[φ²] / d ln q. */
  forwardSlope: number;
  /** 3·E[φ'⁴]/E[φ'²]² − 1. */
  kappaGrad: number;
  /** d ln E[φ'²] / d ln q. */
  gradSlope: number;
}

/** Step in ln q of the central differences. */
const LOG_STEP = 0.01;
/** The quadrature needs no 1e-12 here: the coefficients scale a tolerance. */
const OPTIONS = { relTol: 1e-9 };

/** The coefficients at pre-activation variance q (clamped to [1e-12, 1e12], where every φ here has settled into its limit). */
export function finiteWidthCoefficients(act: ActivationName, alpha: number, q: number): FiniteWidthCoefficients {
  const homogeneous = ACTIVATION[act].homogeneous;
  const at = homogeneous || !Number.isFinite(q) ? 1 : Math.min(Math.max(q, 1e-12), 1e12);
  const { phi, slope, kinks } = scalarActivation(act, alpha);
  const expect = (g: (u: number) => number, v: number) => gaussianExpectation(g, v, kinks, OPTIONS);
  const square = (u: number) => phi(u) ** 2;
  const slopeSquare = (u: number) => slope(u) ** 2;
  const m2 = expect(square, at);
  const m4 = expect((u) => phi(u) ** 4, at);
  const g2 = expect(slopeSquare, at);
  const g4 = expect((u) => slope(u) ** 4, at);
  const logSlope = (g: (u: number) => number) => {
    if (homogeneous) return g === square ? 1 : 0;
    const up = expect(g, at * Math.exp(LOG_STEP));
    const down = expect(g, at * Math.exp(-LOG_STEP));
    return up > 0 && down > 0 ? (Math.log(up) - Math.log(down)) / (2 * LOG_STEP) : 0;
  };
  const ratio = (fourth: number, second: number) => (second > 0 ? fourth / (second * second) : 1);
  return {
    kappa: Math.max(0, ratio(m4, m2) - 1),
    forwardSlope: logSlope(square),
    kappaGrad: Math.max(0, 3 * ratio(g4, g2) - 1),
    gradSlope: logSlope(slopeSquare),
  };
}

/**
 * The expected spread of ln(measured ÷ predicted) of z var (every layer, hidden ones then the
 * output) and of grad var (hidden layers; the output layer, the anchor, gets sd 0) for one net of
 * the prediction's widths, measured on `probeSamples` samples.
 */
export function finiteWidthSpread(prediction: Prediction, act: ActivationName, alpha: number, probeSamples: number): { preact: LogSpread[]; grad: LogSpread[] } {
  const layers = prediction.layers;
  const hidden = layers.filter((layer) => layer.kind === 'hidden');
  const widths = layers.map((layer) => layer.fanOut);
  const outputWidth = widths[widths.length - 1];
  const cache = new Map<number, FiniteWidthCoefficients>();
  const coefficients = hidden.map((layer) => {
    const key = ACTIVATION[act].homogeneous ? 1 : layer.preactVar;
    let c = cache.get(key);
    if (!c) {
      c = finiteWidthCoefficients(act, alpha, layer.preactVar);
      cache.set(key, c);
    }
    return c;
  });
  const probe = (n: number) => 2 / (probeSamples * n);

  // Forward: D[l], the variance of ln s_l, for every layer (the output's too).
  const D: number[] = [0];
  for (let k = 0; k + 1 < layers.length; k++) {
    const c = coefficients[k];
    D.push(c.forwardSlope ** 2 * D[k] + c.kappa / widths[k]);
  }
  const preact = layers.map((_, l) => spread(D[l] + 2 / widths[l] + probe(widths[l])));

  // Backward, top hidden layer down: B = Σ_{k ≥ l} κ'_k/n_k + Σ_{j ≥ l} (κ_j/n_j)·C_j² + C'_l²·D_l, where
  // C_j = Σ_{k > j} s'_k·Π_{j<i<k} t_i collects how layer j's forward noise reaches the slopes above it
  // (C_j = s'_{j+1} + t_{j+1}·C_{j+1}), and C'_l = s'_l + t_l·C_l how the noise below l does.
  const grad: LogSpread[] = new Array(layers.length);
  grad[layers.length - 1] = { center: 0, sd: 0 };
  let backward = 0;
  let coupled = 0;
  let C = 0;
  for (let l = hidden.length - 1; l >= 0; l--) {
    const c = coefficients[l];
    if (l < hidden.length - 1) C = coefficients[l + 1].gradSlope + coefficients[l + 1].forwardSlope * C;
    backward += c.kappaGrad / widths[l];
    coupled += (c.kappa / widths[l]) * C * C;
    const below = c.gradSlope + c.forwardSlope * C;
    grad[l] = spread(backward + coupled + below * below * D[l] + probe(widths[l]) + probe(outputWidth));
  }
  return { preact, grad };
}

function spread(variance: number): LogSpread {
  return Number.isFinite(variance) ? { center: -variance / 2, sd: Math.sqrt(variance) } : { center: 0, sd: Infinity };
}
