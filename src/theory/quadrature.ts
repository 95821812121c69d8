/**
 * Adaptive Gauss–Kronrod quadrature (7-point Gauss, 15-point Kronrod) and the Gaussian
 * expectations the mean-field theory needs. Pure math: no tensors.
 *
 * Why not Gauss–Hermite: a handful of fixed nodes cannot see φ'(u)² where it has a kink (ReLU
 * family, at 0) or where it is a spike narrower than the node spacing (tanh'² at large q, whose
 * width in z is 1/√q). Here the integral runs in the pre-activation u itself, on pieces that are
 * fine near the activation's own scale (|u| ≲ 1) and coarse out in the Gaussian's tails, with the
 * activation's kinks as piece ends; each piece is refined until the Kronrod and Gauss rules agree.
 */

/** Kronrod nodes on [-1, 1], non-negative half, largest first; the odd entries are the Gauss nodes. */
const KRONROD_NODES = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0,
];
const KRONROD_WEIGHTS = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
/** Gauss weights for KRONROD_NODES[1], [3], [5] and [7] (= 0). */
const GAUSS_WEIGHTS = [0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

interface Piece {
  a: number;
  b: number;
  value: number;
  /** ∫|f| by the same rule: the scale relative errors are measured against. */
  magnitude: number;
  error: number;
}

function kronrod(f: (x: number) => number, a: number, b: number): Piece {
  const centre = (a + b) / 2;
  const half = (b - a) / 2;
  const fc = f(centre);
  let kronrodSum = KRONROD_WEIGHTS[7] * fc;
  let gaussSum = GAUSS_WEIGHTS[3] * fc;
  let magnitude = KRONROD_WEIGHTS[7] * Math.abs(fc);
  for (let k = 0; k < 7; k++) {
    const dx = half * KRONROD_NODES[k];
    const left = f(centre - dx);
    const right = f(centre + dx);
    const pair = left + right;
    kronrodSum += KRONROD_WEIGHTS[k] * pair;
    magnitude += KRONROD_WEIGHTS[k] * (Math.abs(left) + Math.abs(right));
    if (k % 2 === 1) gaussSum += GAUSS_WEIGHTS[(k - 1) / 2] * pair;
  }
  const value = kronrodSum * half;
  return { a, b, value, magnitude: magnitude * Math.abs(half), error: Math.abs((kronrodSum - gaussSum) * half) };
}

export interface QuadratureOptions {
  /** Stop when the summed error estimate is below this times ∫|f|. */
  relTol?: number;
  /** Give up refining after this many pieces (the estimate is still returned). */
  maxPieces?: number;
}

/**
 * ∫ f over [points[0], points[last]], each gap between consecutive (sorted, distinct) points a
 * starting piece; the piece with the largest error estimate is halved until the total estimate
 * meets relTol. Put every kink of f among the points.
 */
export function integrate(f: (x: number) => number, points: number[], options: QuadratureOptions = {}): number {
  const relTol = options.relTol ?? 1e-12;
  const maxPieces = options.maxPieces ?? 4000;
  const sorted = [...new Set(points)].sort((x, y) => x - y);
  const pieces: Piece[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) pieces.push(kronrod(f, sorted[i], sorted[i + 1]));
  for (;;) {
    let value = 0;
    let magnitude = 0;
    let error = 0;
    let worst = 0;
    for (let i = 0; i < pieces.length; i++) {
      value += pieces[i].value;
      magnitude += pieces[i].magnitude;
      error += pieces[i].error;
      if (pieces[i].error > pieces[worst].error) worst = i;
    }
    if (!(error > relTol * magnitude) || pieces.length >= maxPieces) return value;
    const { a, b } = pieces[worst];
    const mid = (a + b) / 2;
    if (!(mid > a && mid < b)) return value; // the piece cannot be split in floating point
    pieces.splice(worst, 1, kronrod(f, a, mid), kronrod(f, mid, b));
  }
}

/** Beyond ±16 standard deviations the Gaussian weight is below 1e-55: nothing left to add. */
const TAIL_SDS = 16;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const standardDensity = (z: number) => INV_SQRT_2PI * Math.exp((-z * z) / 2);

/**
 * Piece ends, in standard units z = u/√q, for an integral against N(0, q): the kinks, 0, a
 * geometric ladder around the activation's own scale (|u| from 1/8 to 64, where sigmoid, tanh and
 * exp bend), another in units of the Gaussian's own scale (|z| from 1/16 to 8), all within ±16.
 * Working in z keeps the weights finite for any q (1/√(2πq) underflows near q = 1e308).
 */
function gaussianPieceEnds(sd: number, kinks: readonly number[]): number[] {
  const ends = [-TAIL_SDS, 0, TAIL_SDS];
  const add = (z: number) => {
    if (Math.abs(z) < TAIL_SDS && z !== 0) ends.push(z, -z);
  };
  for (let u = 1 / 8; u <= 64; u *= 2) add(u / sd);
  for (const z of [1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8]) add(z);
  for (const k of kinks) if (Math.abs(k / sd) < TAIL_SDS) ends.push(k / sd);
  return ends;
}

/**
 * E[g(u)] for u ~ N(0, q), as ∫ g(√q·z) φ(z) dz. q = 0 gives g(0); a non-finite or negative q gives
 * NaN (the caller reports it as not finite rather than inventing a number).
 */
export function gaussianExpectation(g: (u: number) => number, q: number, kinks: readonly number[] = [], options: QuadratureOptions = {}): number {
  if (!Number.isFinite(q) || q < 0) return Number.NaN;
  if (q === 0) return g(0);
  const sd = Math.sqrt(q);
  return integrate((z) => {
    const w = standardDensity(z);
    return w === 0 ? 0 : g(sd * z) * w;
  }, gaussianPieceEnds(sd, kinks), options);
}

/** P(a < u < b) for u ~ N(0, q); a may be -Infinity and b Infinity. */
export function gaussianMass(a: number, b: number, q: number): number {
  if (!Number.isFinite(q) || q < 0) return Number.NaN;
  if (q === 0) return a < 0 && 0 < b ? 1 : 0;
  const sd = Math.sqrt(q);
  const lo = Math.max(a / sd, -TAIL_SDS);
  const hi = Math.min(b / sd, TAIL_SDS);
  if (!(hi > lo)) return 0;
  const ends = gaussianPieceEnds(sd, []).filter((z) => z > lo && z < hi);
  return integrate(standardDensity, [lo, ...ends, hi]);
}
