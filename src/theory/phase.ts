/**
 * Order and chaos at initialization (Poole et al. 2016; Schoenholz et al. 2017, "Deep Information
 * Propagation"): for a deep net of one activation with weights of variance σw²/fan_in and biases
 * N(0, σb²), the numbers that say whether two inputs' signals stay apart with depth. Pure math.
 *
 * - q*: the fixed point of the length map q ← σw²·E[φ(√q z)²] + σb² (./meanField.ts).
 * - χ₁ = σw²·E[φ′(√q* z)²]: the slope of the correlation map at c = 1. χ₁ < 1 is the ordered
 *   phase (c* = 1: every input ends up with the same representation), χ₁ > 1 the chaotic one
 *   (c* < 1: nearby inputs are driven apart), χ₁ = 1 the critical line (the edge of chaos).
 * - The correlation map c ← [σw²·E[φ(u₁)φ(u₂)] + σb²]/q*, with u₁ = √q* z₁ and
 *   u₂ = √q*(c z₁ + √(1−c²) z₂): c* is its stable fixed point, χ_c = σw²·E[φ′(u₁)φ′(u₂)] its slope
 *   there (χ₁ when c* = 1).
 * - Depth scales: ξ_q = −1/ln(slope of the length map at q*) (how fast q forgets its start; the
 *   slope is χ₁ + σw²·E[φφ″], computed here as σw²·E[u φ(u) φ′(u)]/q* by Stein's lemma, so φ″ is
 *   never needed), and ξ_c = −1/ln χ_c (how many layers a difference between inputs, and the
 *   gradient, survive; infinite on the critical line). Their paper: nets train when depth ≲ 6 ξ_c.
 */
import type { ActivationName } from '../model/activations.js';
import { scalarActivation } from './activationMath.js';
import { lengthFixedPoint, layerMoments } from './meanField.js';
import { gaussianExpectation, type QuadratureOptions } from './quadrature.js';

export type Phase = 'ordered' | 'critical' | 'chaotic';

export interface PhaseNumbers {
  sigmaW2: number;
  sigmaB2: number;
  /** Fixed point of the length map; Infinity or 0 when q runs off with depth instead (qLimit). */
  qStar: number;
  qLimit: 'fixed-point' | 'to-zero' | 'to-infinity';
  chi1: number;
  /** Fixed point of the correlation map; null when q has no fixed point. */
  cStar: number | null;
  /** Slope of the correlation map at c*. */
  chiC: number | null;
  /** −1/ln(slope of the length map at q*); Infinity when that slope is 1. */
  xiQ: number | null;
  /** −1/ln χ_c; Infinity on the critical line. */
  xiC: number | null;
  phase: Phase | null;
}

/** |χ₁ − 1| below this is the critical line: ξ_c is then infinite to the precision of the quadrature. */
export const CRITICAL_TOLERANCE = 1e-9;

/**
 * E[F(u₁, u₂)] for the pair (u₁, u₂) with variances q and correlation c: an outer expectation over
 * u₁ ~ N(0, q) of an inner one over u₂'s independent part v ~ N(0, q(1−c²)), each adaptive and
 * split at the activation's kinks (shifted by c·u₁ inside).
 */
export function pairExpectation(F: (u1: number, u2: number) => number, q: number, c: number, kinks: readonly number[], options: QuadratureOptions = {}): number {
  const innerVar = q * Math.max(0, 1 - c * c);
  return gaussianExpectation(
    (u1) => {
      const mean = c * u1;
      return gaussianExpectation(
        (v) => F(u1, mean + v),
        innerVar,
        kinks.map((k) => k - mean),
        options,
      );
    },
    q,
    kinks,
    options,
  );
}

const depthScaleOf = (slope: number): number | null => (Number.isFinite(slope) && slope > 0 ? (Math.abs(Math.log(slope)) < 1e-15 ? Infinity : -1 / Math.log(slope)) : null);

/**
 * c* of the chaotic phase: the root in [0, 1) of h(c) = C(c) − c. C is convex and increasing on
 * [0, 1] with C(1) = 1 and C′(1) = χ₁ > 1, so h ≥ 0 below c* and < 0 between c* and 1. Halving
 * from [0, 1) finds a point with h < 0 (c = 1 itself is never evaluated); then regula falsi with
 * the Illinois step keeps the bracket and converges superlinearly.
 */
function chaoticFixedPoint(h: (c: number) => number): number {
  let lo = 0;
  let fLo = h(0);
  if (fLo <= 0) return 0;
  let hi = 1;
  let fHi = 0;
  while (fHi >= 0) {
    const mid = (lo + hi) / 2;
    const fMid = h(mid);
    if (fMid > 0) [lo, fLo] = [mid, fMid];
    else if (fMid < 0) [hi, fHi] = [mid, fMid];
    else return mid;
    if (hi - lo < 1e-13) return (lo + hi) / 2;
  }
  let side = 0;
  for (let i = 0; i < 100 && hi - lo > 1e-13; i++) {
    const c = (lo * fHi - hi * fLo) / (fHi - fLo);
    const fc = h(c);
    if (fc === 0 || Math.abs(fc) < 1e-15) return c;
    if (fc > 0) {
      [lo, fLo] = [c, fc];
      if (side === -1) fHi /= 2;
      side = -1;
    } else {
      [hi, fHi] = [c, fc];
      if (side === 1) fLo /= 2;
      side = 1;
    }
  }
  return (lo * fHi - hi * fLo) / (fHi - fLo);
}

/** How a pair expectation E[F(u₁, u₂)] at (q, c) is computed. */
export type PairRule = (F: (u1: number, u2: number) => number, q: number, c: number) => number;

/** The adaptive, kink-aware pair expectation (pairExpectation) at tolerance `options`. */
export function adaptivePairRule(act: ActivationName, alpha: number, options: QuadratureOptions = {}): PairRule {
  const { kinks } = scalarActivation(act, alpha);
  return (F, q, c) => pairExpectation(F, q, c, kinks, options);
}

const GRID_HALF_WIDTH = 9;

/**
 * A fast pair rule for a smooth φ: the trapezoid rule in (z₁, z₂) over ±9, with step
 * min(maxStep, 0.3/√q). For a φ analytic in a strip (tanh: poles at u = ±iπ/2, i.e. z at distance
 * π/(2√q) from the real axis) it converges exponentially: the error is about e^(−2π·π/(2√q)/step),
 * below 1e-12 with this step at any q. Across a kink (relu family) it converges only as step², about
 * 1e-3 relative: use adaptivePairRule there when the digits matter.
 */
export function gridPairRule(maxStep = 0.1): PairRule {
  return (F, q, c) => {
    const sd = Math.sqrt(q);
    const step = Math.min(maxStep, 0.3 / Math.max(sd, 1e-300));
    const count = Math.floor(GRID_HALF_WIDTH / step);
    const nodes: number[] = [];
    const weights: number[] = [];
    for (let k = -count; k <= count; k++) {
      nodes.push(k * step);
      weights.push((step * Math.exp(-((k * step) ** 2) / 2)) / Math.sqrt(2 * Math.PI));
    }
    const s = Math.sqrt(Math.max(0, 1 - c * c));
    let sum = 0;
    for (let i = 0; i < nodes.length; i++) {
      const u1 = sd * nodes[i];
      let inner = 0;
      for (let j = 0; j < nodes.length; j++) inner += weights[j] * F(u1, sd * (c * nodes[i] + s * nodes[j]));
      sum += weights[i] * inner;
    }
    return sum;
  };
}

export interface PhaseOptions {
  /** Quadrature tolerance of the one-dimensional expectations (default 1e-11). */
  relTol?: number;
  /** Length-map iterations before q* is taken as reached (default 2000). */
  iterations?: number;
  /** The two-input expectations (default: gridPairRule for a φ without kinks, else adaptivePairRule at relTol). */
  pairRule?: PairRule;
}

/** Every phase number for activation `act` at (σw², σb²). */
export function phaseNumbers(act: ActivationName, alpha: number, sigmaW2: number, sigmaB2: number, options: PhaseOptions = {}): PhaseNumbers {
  const quad: QuadratureOptions = { relTol: options.relTol ?? 1e-11 };
  const { phi, slope, kinks } = scalarActivation(act, alpha);
  // Start where a unit-variance input would put the first layer.
  const { qStar, qLimit } = lengthFixedPoint(act, alpha, sigmaW2, sigmaB2, sigmaW2 + sigmaB2, options.iterations ?? 2000);
  const q = qLimit === 'to-infinity' ? Infinity : qLimit === 'to-zero' ? 0 : qStar;
  const chi1 = sigmaW2 * layerMoments(act, alpha, q).slopeSquare;
  const base = { sigmaW2, sigmaB2, qStar: q, qLimit, chi1 };
  if (qLimit !== 'fixed-point') return { ...base, cStar: null, chiC: null, xiQ: null, xiC: null, phase: null };
  const lengthSlope = (sigmaW2 * gaussianExpectation((u) => u * phi(u) * slope(u), q, kinks, quad)) / q;
  const xiQ = depthScaleOf(lengthSlope);
  if (Math.abs(chi1 - 1) <= CRITICAL_TOLERANCE) return { ...base, cStar: 1, chiC: chi1, xiQ, xiC: Infinity, phase: 'critical' };
  if (chi1 < 1) return { ...base, cStar: 1, chiC: chi1, xiQ, xiC: depthScaleOf(chi1), phase: 'ordered' };
  const pair = options.pairRule ?? (kinks.length === 0 ? gridPairRule() : adaptivePairRule(act, alpha, quad));
  const cStar = chaoticFixedPoint((c) => (sigmaW2 * pair((a, b) => phi(a) * phi(b), q, c) + sigmaB2) / q - c);
  const chiC = sigmaW2 * pair((a, b) => slope(a) * slope(b), q, cStar);
  return { ...base, cStar, chiC, xiQ, xiC: depthScaleOf(chiC), phase: 'chaotic' };
}

/**
 * χ₁ alone (no correlation map): cheap enough to bisect for the critical line. NaN when q has no
 * fixed point.
 */
export function chi1At(act: ActivationName, alpha: number, sigmaW2: number, sigmaB2: number, iterations = 2000): number {
  const { qStar, qLimit } = lengthFixedPoint(act, alpha, sigmaW2, sigmaB2, sigmaW2 + sigmaB2, iterations);
  if (qLimit !== 'fixed-point') return Number.NaN;
  return sigmaW2 * layerMoments(act, alpha, qStar).slopeSquare;
}

/**
 * The critical σw² at σb² (χ₁ = 1) within [lo, hi], by bisection on χ₁ − 1; null when χ₁ − 1 does
 * not change sign over the range (χ₁ is increasing in σw² for the activations here).
 */
export function criticalSigmaW2(act: ActivationName, alpha: number, sigmaB2: number, lo: number, hi: number, tolerance = 1e-6): number | null {
  let a = lo;
  let b = hi;
  const fa = chi1At(act, alpha, a, sigmaB2) - 1;
  const fb = chi1At(act, alpha, b, sigmaB2) - 1;
  if (!(fa <= 0 && fb >= 0)) return null;
  while (b - a > tolerance * Math.max(1, Math.abs(b))) {
    const mid = (a + b) / 2;
    if (chi1At(act, alpha, mid, sigmaB2) - 1 < 0) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}
