/**
 * The mean-field prediction at initialization (Poole et al. 2016; Schoenholz et al. 2017) for the
 * net `vgrad run` builds: input → hidden layers (φ) → linear output, weights drawn from the
 * initializer's distribution, biases from N(0, σb²) (σb = --bias-std; 0 by default). Pure math: no tensors.
 *
 * Conventions match the probes (src/probes/layerStats.ts), whose statistics are over every
 * (sample, unit) pair of a layer:
 * - Layer l computes z = a·W + b with W of shape n_{l-1} × n_l and zero-mean entries of variance
 *   Var(W_l), and b ~ N(0, σb²). Over the random weights and biases, z is Gaussian with mean 0 and
 *   variance q_l = n_{l-1}·Var(W_l)·E[a²] + σb² = σw²_l · E[a²] + σb²: the *second moment* of the layer's input, not its
 *   variance. That matters when E[φ] ≠ 0 (sigmoid, relu, elu): each unit then gets a fixed offset
 *   (the input's mean times its weight column sum), which is random across units, so the
 *   pre-activations over all pairs still have mean 0 and variance q_l.
 * - Going down, the per-sample gradient δ_l = ∂ℓ/∂z_l is φ'(z_l) ⊙ (W_{l+1} δ_{l+1}), so its mean
 *   square is multiplied by n_{l+1}·Var(W_{l+1})·E[φ'(z_l)²] = χ_l · n_{l+1}/n_l per layer, with
 *   χ_l = σw²_{l+1} · E[φ'(z_l)²] the mean-field gradient factor.
 */
import type { ActivationName } from '../model/activations.js';
import { distributionStd, type InitContext, type Initializer } from '../model/initializers.js';
import { saturatedIntervals, scalarActivation } from './activationMath.js';
import { gaussianExpectation, gaussianMass } from './quadrature.js';

export interface NetSpec {
  /** Widths from input to output, e.g. [784, 300, 100, 10]. */
  sizes: number[];
  act: ActivationName;
  /** Leaky-ReLU negative slope. */
  alpha: number;
  /** σw²_l = fanIn · Var(W_l) for every weight layer, hidden ones then the output. */
  sigmaW2: number[];
  /** E[x²] of the first layer's input, over all features and samples. */
  inputSecondMoment: number;
  /** σb²: the variance of every bias at initialization (--bias-std squared); 0 when absent. */
  sigmaB2?: number;
}

export interface LayerPrediction {
  /** 1..depth for hidden layers, depth+1 for the output layer (as in the run record). */
  index: number;
  kind: 'hidden' | 'output';
  fanIn: number;
  fanOut: number;
  /** fanIn · Var(W). */
  sigmaW2: number;
  /** Pre-activation mean (0: zero-mean weights and biases) and variance q. */
  preactMean: number;
  preactVar: number;
  /** Mean and variance of φ(z) (of softmax(z) is not predicted: null for the output layer). */
  actMean: number | null;
  actVar: number | null;
  /** E[φ'(z)²]; null for the output layer. */
  slopeSquare: number | null;
  /** σw²_{l+1}·E[φ'(z_l)²]; null for the output layer. */
  chi: number | null;
  /** χ_l · n_{l+1}/n_l: what the gradient variance is multiplied by from layer l+1 down to l. */
  gradFactor: number | null;
  /** Per-sample Var(∂ℓ/∂z_l) divided by that of the output layer. */
  gradVarRatio: number;
  /** P(φ'(z) < 5% of φ's largest slope); null for the output layer. */
  saturated: number | null;
}

export interface DepthScale {
  /** q where the hidden-to-hidden map q ← σw²·E[φ(√q z)²] + σb² settles, or where it stood when it left [1e-30, 1e30]. */
  qStar: number;
  /** Whether q settled at a fixed point or runs off to 0 or to infinity with depth. */
  qLimit: 'fixed-point' | 'to-zero' | 'to-infinity';
  /** χ at qStar. */
  chiStar: number;
  /** ξ = −1/ln χ*: gradients change by a factor e every |ξ| layers. null when χ* = 1 (ξ infinite). */
  xi: number | null;
  trend: 'vanishing' | 'exploding' | 'stable';
}

export interface Prediction {
  layers: LayerPrediction[];
  depthScale: DepthScale;
}

/** One layer's Gaussian expectations at pre-activation variance q. */
export interface LayerMoments {
  mean: number;
  secondMoment: number;
  slopeSquare: number;
  saturated: number;
}

/** |φ| beyond this at u = ±1e300 is an unbounded tail (every bounded activation here has settled by then). */
const UNBOUNDED = 1e150;

/**
 * The limits as q → ∞, where a deep net's q overflows a double and quadrature has no scale to work
 * in: u = √q·z is +∞ or −∞ with probability 1/2 each, so each expectation is the mean of φ's (or
 * φ''s) two tails, and a saturated interval counts 1/2 for each infinite end it reaches. An
 * unbounded tail gives an infinite moment (relu: E[φ] = E[φ²] = +∞), a bounded one its limit
 * (tanh: E[φ²] = 1, E[φ'²] = 0, saturated 1), so the prediction says +Inf, not NaN, where it
 * overflows, and a saturating net's deeper layers stay finite.
 */
function momentsAtInfiniteVariance(act: ActivationName, alpha: number): LayerMoments {
  const { phi, slope } = scalarActivation(act, alpha);
  const far = 1e300;
  const tail = (v: number) => (Math.abs(v) > UNBOUNDED ? Math.sign(v) * Infinity : v);
  const up = tail(phi(far));
  const down = tail(phi(-far));
  // The mean from the finite tail values: an odd φ's cancel to 0 (linear, tanh, softsign), an
  // asymmetric unbounded one's do not (leaky-relu: (1 − α)·1e300/2 reads as +∞).
  const mean = tail((phi(far) + phi(-far)) / 2);
  let saturated = 0;
  for (const [a, b] of saturatedIntervals(act, alpha)) saturated += (a === -Infinity ? 0.5 : 0) + (b === Infinity ? 0.5 : 0);
  return {
    mean,
    secondMoment: (up * up + down * down) / 2,
    slopeSquare: (slope(far) ** 2 + slope(-far) ** 2) / 2,
    saturated: Math.min(1, saturated),
  };
}

export function layerMoments(act: ActivationName, alpha: number, q: number): LayerMoments {
  if (q === Infinity) return momentsAtInfiniteVariance(act, alpha);
  const { phi, slope, kinks } = scalarActivation(act, alpha);
  const rawMean = gaussianExpectation(phi, q, kinks);
  const secondMoment = gaussianExpectation((u) => phi(u) ** 2, q, kinks);
  // An odd φ has mean exactly 0; the quadrature leaves ~1e-17 of rounding, which is not a mean.
  const mean = Number.isFinite(secondMoment) && Math.abs(rawMean) <= 1e-11 * Math.sqrt(secondMoment) ? 0 : rawMean;
  const slopeSquare = gaussianExpectation((u) => slope(u) ** 2, q, kinks);
  let saturated = 0;
  for (const [a, b] of saturatedIntervals(act, alpha)) saturated += gaussianMass(a, b, q);
  return { mean, secondMoment, slopeSquare, saturated: Number.isFinite(q) ? Math.min(1, saturated) : Number.NaN };
}

/** σw² = fanIn · Var(W) for each weight layer of the net, from the initializer's distribution. */
export function sigmaW2ForNet(sizes: number[], init: Initializer, context: InitContext): number[] {
  const out: number[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const std = distributionStd(init.distribution(sizes[l], sizes[l + 1], context), sizes[l], sizes[l + 1]);
    out.push(sizes[l] * std * std);
  }
  return out;
}

const FIXED_POINT_ITERATIONS = 500;

/**
 * Iterates the length map q ← σw²·E[φ(√q z)²] + σb² from qStart (from 1 where qStart is not a
 * positive finite number) until it settles, or leaves [1e-30, 1e30].
 */
function iterateLengthMap(act: ActivationName, alpha: number, sigmaW2: number, sigmaB2: number, qStart: number, iterations = FIXED_POINT_ITERATIONS): { qStar: number; qLimit: DepthScale['qLimit'] } {
  let q = Number.isFinite(qStart) && qStart > 0 ? qStart : 1;
  let qLimit: DepthScale['qLimit'] = 'fixed-point';
  for (let i = 0; i < iterations; i++) {
    const next = sigmaW2 * layerMoments(act, alpha, q).secondMoment + sigmaB2;
    if (!(next <= 1e30)) {
      qLimit = 'to-infinity';
      break;
    }
    if (next < 1e-30) {
      qLimit = 'to-zero';
      break;
    }
    const settled = Math.abs(next - q) <= 1e-12 * q;
    q = next;
    if (settled) break;
  }
  return { qStar: q, qLimit };
}

function depthScale(act: ActivationName, alpha: number, sigmaW2: number, sigmaB2: number, qStart: number): DepthScale {
  // The map, not the net, sets the depth scale: where the net's own q overflowed, start from 1.
  const { qStar: q, qLimit } = iterateLengthMap(act, alpha, sigmaW2, sigmaB2, qStart);
  const chiStar = sigmaW2 * layerMoments(act, alpha, q).slopeSquare;
  const logChi = Math.log(chiStar);
  const stable = Math.abs(logChi) < 1e-9;
  return { qStar: q, qLimit, chiStar, xi: stable ? null : -1 / logChi, trend: stable ? 'stable' : logChi < 0 ? 'vanishing' : 'exploding' };
}

/** The prediction for every layer, hidden ones bottom to top, then the output layer. */
export function predictNet(spec: NetSpec): Prediction {
  const steps = predictNetSteps(spec);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * predictNet for a caller that must stay responsive: `between` is awaited after each layer (about
 * 1 ms of quadrature; a million layers take minutes), e.g. a pacer (util/abort.ts) that lets a
 * signal stop the work.
 */
export async function predictNetPaced(spec: NetSpec, between: () => Promise<void>): Promise<Prediction> {
  const steps = predictNetSteps(spec);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await between();
  }
}

/** predictNet one layer at a time: yields after each layer's moments, returns the prediction. */
function* predictNetSteps(spec: NetSpec): Generator<void, Prediction> {
  const { sizes, act, alpha, sigmaW2 } = spec;
  const sigmaB2 = spec.sigmaB2 ?? 0;
  const weightLayers = sizes.length - 1;
  if (sigmaW2.length !== weightLayers) throw new Error(`sigmaW2 has ${sigmaW2.length} entries for ${weightLayers} weight layers`);
  const layers: LayerPrediction[] = [];
  const moments: LayerMoments[] = [];
  let inputSecondMoment = spec.inputSecondMoment;
  for (let l = 0; l < weightLayers; l++) {
    const q = sigmaW2[l] * inputSecondMoment + sigmaB2;
    const isOutput = l === weightLayers - 1;
    const m = isOutput ? null : layerMoments(act, alpha, q);
    if (m) moments.push(m);
    layers.push({
      index: l + 1,
      kind: isOutput ? 'output' : 'hidden',
      fanIn: sizes[l],
      fanOut: sizes[l + 1],
      sigmaW2: sigmaW2[l],
      preactMean: 0,
      preactVar: q,
      actMean: m ? m.mean : null,
      // Var = E[φ²] − E[φ]² is ∞ − ∞ once E[φ²] is infinite; the variance is then infinite too.
      actVar: m ? (Number.isFinite(m.secondMoment) ? m.secondMoment - m.mean * m.mean : m.secondMoment) : null,
      slopeSquare: m ? m.slopeSquare : null,
      chi: null,
      gradFactor: null,
      gradVarRatio: 1,
      saturated: m ? m.saturated : null,
    });
    if (m) inputSecondMoment = m.secondMoment;
    yield;
  }
  for (let l = weightLayers - 2; l >= 0; l--) {
    const layer = layers[l];
    const chi = sigmaW2[l + 1] * moments[l].slopeSquare;
    layer.chi = chi;
    layer.gradFactor = (chi * sizes[l + 2]) / sizes[l + 1];
    layer.gradVarRatio = layers[l + 1].gradVarRatio * layer.gradFactor;
  }
  // The depth scale of the repeating part of the net: the top hidden layer's weights, iterated
  // from the top hidden layer's q.
  const top = Math.max(weightLayers - 2, 0);
  return { layers, depthScale: depthScale(act, alpha, sigmaW2[top], sigmaB2, layers[top].preactVar) };
}
