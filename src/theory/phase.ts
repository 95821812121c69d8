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
import { layerMoments } from './meanField.js';
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
 * min(maxStep, scale/√q). For a φ analytic in a strip (tanh: poles at u = ±iπ/2, i.e. z at distance
 * π/(2√q) from the real axis) it converges exponentially: the error is about e^(−2π·π/(2√q)/step),
 * below 1e-12 at any q with scale 0.3 (1e-6 with 0.6, enough for a picture). Across a kink (relu family) it converges only as step², about
 * 1e-3 relative: use adaptivePairRule there when the digits matter.
 */
export function gridPairRule(maxStep = 0.1, scale = 0.3): PairRule {
  return (F, q, c) => {
    const sd = Math.sqrt(q);
    // At most 4001 nodes a side (q up to about 1e5 at scale 0.3; beyond, the picture's precision degrades).
    const step = Math.max(GRID_HALF_WIDTH / 2000, Math.min(maxStep, scale / Math.max(sd, 1e-300)));
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
  /** Steffensen steps of the length map before q* is taken as reached (default 400). */
  iterations?: number;
  /** The two-input expectations (default: gridPairRule for a φ without kinks, else adaptivePairRule at relTol). */
  pairRule?: PairRule;
}

/**
 * q* of the length map m(q) = σw²·E[φ(√q z)²] + σb², by Steffensen's method (Aitken's Δ² on the
 * plain iteration): as fast as Newton where the plain iteration crawls (slope near 1: near-critical
 * relu with biases, tanh without biases, whose q* = 0 is reached only as 1/(2l)). An extrapolation
 * to q ≤ 0 means the map has no fixed point ahead (relu above He: q grows without bound), so the
 * plain steps continue until q leaves [1e-30, 1e30]. q → 0 is the fixed point q* = 0 (odd φ
 * without biases); its numbers are taken at the last q, which is below 1e-30.
 */
export function lengthFixedPoint(act: ActivationName, alpha: number, sigmaW2: number, sigmaB2: number, qStart: number, maxSteps = 400): { qStar: number; qLimit: PhaseNumbers['qLimit']; qLast: number } {
  // E[φ²] alone (layerMoments would also integrate the mean, slope and saturation at every step).
  const { phi, kinks } = scalarActivation(act, alpha);
  const map = (q: number) => sigmaW2 * gaussianExpectation((u) => phi(u) ** 2, q, kinks, { relTol: 1e-12 }) + sigmaB2;
  let q = Number.isFinite(qStart) && qStart > 0 ? qStart : 1;
  const out = (next: number): PhaseNumbers['qLimit'] | null => (!(next <= 1e30) ? 'to-infinity' : next < 1e-30 ? 'to-zero' : null);
  for (let step = 0; step < maxSteps; step++) {
    const q1 = map(q);
    const left1 = out(q1);
    if (left1) return { qStar: left1 === 'to-infinity' ? Infinity : 0, qLimit: left1, qLast: q1 };
    if (Math.abs(q1 - q) <= 1e-14 * q) return { qStar: q1, qLimit: 'fixed-point', qLast: q1 };
    const q2 = map(q1);
    const left2 = out(q2);
    if (left2) return { qStar: left2 === 'to-infinity' ? Infinity : 0, qLimit: left2, qLast: q2 };
    if (Math.abs(q2 - q1) <= 1e-14 * q1) return { qStar: q2, qLimit: 'fixed-point', qLast: q2 };
    const curvature = q2 - 2 * q1 + q;
    const extrapolated = curvature !== 0 ? q - ((q1 - q) * (q1 - q)) / curvature : q2;
    // Growing, with no fixed point ahead to extrapolate to: q runs off (relu above He).
    if (!(extrapolated > 0) && q2 > q1 && q1 > q) return { qStar: Infinity, qLimit: 'to-infinity', qLast: q2 };
    q = Number.isFinite(extrapolated) && extrapolated > 0 ? extrapolated : q2;
  }
  // Not settled: say where it is heading rather than call a moving q a fixed point.
  const next = map(q);
  if (next > q * (1 + 1e-9)) return { qStar: Infinity, qLimit: 'to-infinity', qLast: q };
  if (next < q * (1 - 1e-9)) return { qStar: 0, qLimit: 'to-zero', qLast: q };
  return { qStar: q, qLimit: 'fixed-point', qLast: q };
}

/** Every phase number for activation `act` at (σw², σb²). */
export function phaseNumbers(act: ActivationName, alpha: number, sigmaW2: number, sigmaB2: number, options: PhaseOptions = {}): PhaseNumbers {
  const quad: QuadratureOptions = { relTol: options.relTol ?? 1e-11 };
  const { phi, slope, kinks } = scalarActivation(act, alpha);
  // Start where a unit-variance input would put the first layer.
  const { qStar, qLimit, qLast } = lengthFixedPoint(act, alpha, sigmaW2, sigmaB2, sigmaW2 + sigmaB2, options.iterations);
  if (qLimit === 'to-infinity') {
    return { sigmaW2, sigmaB2, qStar, qLimit, chi1: sigmaW2 * layerMoments(act, alpha, Infinity).slopeSquare, cStar: null, chiC: null, xiQ: null, xiC: null, phase: null };
  }
  // At q* = 0 the expectations are their limits, taken at the last (tiny) q.
  const q = qLimit === 'to-zero' ? qLast : qStar;
  const chi1 = sigmaW2 * gaussianExpectation((u) => slope(u) ** 2, q, kinks, quad);
  const base = { sigmaW2, sigmaB2, qStar, qLimit, chi1 };
  const lengthSlope = (sigmaW2 * gaussianExpectation((u) => u * phi(u) * slope(u), q, kinks, quad)) / q;
  const xiQ = depthScaleOf(lengthSlope);
  if (Math.abs(chi1 - 1) <= CRITICAL_TOLERANCE) return { ...base, cStar: 1, chiC: chi1, xiQ, xiC: Infinity, phase: 'critical' };
  if (chi1 < 1) return { ...base, cStar: 1, chiC: chi1, xiQ, xiC: depthScaleOf(chi1), phase: 'ordered' };
  const pair = options.pairRule ?? (kinks.length === 0 ? gridPairRule() : adaptivePairRule(act, alpha, quad));
  const cStar = chaoticFixedPoint((c) => (sigmaW2 * pair((a, b) => phi(a) * phi(b), q, c) + sigmaB2) / q - c);
  const chiC = sigmaW2 * pair((a, b) => slope(a) * slope(b), q, cStar);
  return { ...base, cStar, chiC, xiQ, xiC: depthScaleOf(chiC), phase: 'chaotic' };
}

/** χ₁ alone (no correlation map): cheap enough to bisect for the critical line. NaN when q grows without bound. */
export function chi1At(act: ActivationName, alpha: number, sigmaW2: number, sigmaB2: number): number {
  const { qLimit, qLast } = lengthFixedPoint(act, alpha, sigmaW2, sigmaB2, sigmaW2 + sigmaB2);
  if (qLimit === 'to-infinity') return Number.NaN;
  const { slope, kinks } = scalarActivation(act, alpha);
  return sigmaW2 * gaussianExpectation((u) => slope(u) ** 2, qLast, kinks, { relTol: 1e-12 });
}

/**
 * The critical σw² at σb² (χ₁ = 1) within [lo, hi], by bisection; null when χ₁ − 1 does not change
 * sign over the range (χ₁ grows with σw² for the activations here). Where q grows without bound
 * (relu above He) the net is on the chaotic side.
 */
export function criticalSigmaW2(act: ActivationName, alpha: number, sigmaB2: number, lo: number, hi: number, tolerance = 1e-6): number | null {
  const chaotic = (sigmaW2: number) => !(chi1At(act, alpha, sigmaW2, sigmaB2) < 1);
  let a = lo;
  let b = hi;
  if (chaotic(a) || !chaotic(b)) return null;
  while (b - a > tolerance * Math.max(1, Math.abs(b))) {
    const mid = (a + b) / 2;
    if (chaotic(mid)) b = mid;
    else a = mid;
  }
  return (a + b) / 2;
}
