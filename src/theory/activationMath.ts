/**
 * Each activation φ and its slope φ' as plain functions of one number, for the mean-field
 * integrals. They mirror src/model/activationOps.ts (the tensor versions the net runs): ELU with
 * α = 1, SELU with Klambauer's constants, softsign z/(1+|z|), and at a kink the left slope.
 */
import { type ActivationName, maxSlope, SATURATION_THRESHOLD, SELU_ALPHA, SELU_LAMBDA } from '../model/activations.js';

export interface ScalarActivation {
  phi(u: number): number;
  slope(u: number): number;
  /** Where φ or φ' is not smooth: quadrature pieces must end there. */
  kinks: number[];
}

function sigmoid(u: number): number {
  // Written so that neither branch overflows exp.
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

export function scalarActivation(act: ActivationName, alpha: number): ScalarActivation {
  switch (act) {
    case 'sigmoid':
      return {
        phi: sigmoid,
        slope: (u) => {
          const s = sigmoid(u);
          return s * (1 - s);
        },
        kinks: [],
      };
    case 'tanh':
      return {
        phi: Math.tanh,
        slope: (u) => {
          // 1/cosh² rather than 1 − tanh², which rounds to 0 long before the true value does.
          const c = Math.cosh(u);
          return 1 / (c * c);
        },
        kinks: [],
      };
    case 'relu':
      return { phi: (u) => (u > 0 ? u : 0), slope: (u) => (u > 0 ? 1 : 0), kinks: [0] };
    case 'leaky-relu':
      return { phi: (u) => (u > 0 ? u : alpha * u), slope: (u) => (u > 0 ? 1 : alpha), kinks: [0] };
    case 'elu':
      return { phi: (u) => (u > 0 ? u : Math.expm1(u)), slope: (u) => (u > 0 ? 1 : Math.exp(u)), kinks: [0] };
    case 'selu':
      return {
        phi: (u) => (u > 0 ? SELU_LAMBDA * u : SELU_LAMBDA * SELU_ALPHA * Math.expm1(u)),
        slope: (u) => (u > 0 ? SELU_LAMBDA : SELU_LAMBDA * SELU_ALPHA * Math.exp(u)),
        kinks: [0],
      };
    case 'softsign':
      return {
        phi: (u) => u / (1 + Math.abs(u)),
        slope: (u) => 1 / ((1 + Math.abs(u)) * (1 + Math.abs(u))),
        kinks: [0],
      };
    case 'linear':
      return { phi: (u) => u, slope: () => 1, kinks: [] };
  }
}

/** Every activation's slope has settled (constant or below any threshold) beyond this |u|. */
const SCAN_REACH = 80;
const SCAN_STEP = 1 / 64;

/**
 * The intervals of u where φ'(u) < 5% of φ's largest slope: the probes' definition of
 * "saturated". Found by scanning φ' on a fine grid and bisecting each crossing to machine
 * precision; intervals that reach the scan's ends extend to ±Infinity.
 */
export function saturatedIntervals(act: ActivationName, alpha: number): [number, number][] {
  const { slope, kinks } = scalarActivation(act, alpha);
  const below = SATURATION_THRESHOLD * maxSlope(act, alpha);
  const isSaturated = (u: number) => slope(u) < below;
  const grid: number[] = [];
  for (let u = -SCAN_REACH; u <= SCAN_REACH; u += SCAN_STEP) grid.push(u);
  for (const k of kinks) grid.push(k);
  grid.sort((x, y) => x - y);
  const intervals: [number, number][] = [];
  let start: number | null = isSaturated(grid[0]) ? -Infinity : null;
  for (let i = 1; i < grid.length; i++) {
    const was = isSaturated(grid[i - 1]);
    const is = isSaturated(grid[i]);
    if (was === is) continue;
    // Bisect to the crossing; a step (kink) converges onto the kink itself.
    let lo = grid[i - 1];
    let hi = grid[i];
    for (let iter = 0; iter < 200 && hi - lo > 0; iter++) {
      const mid = (lo + hi) / 2;
      if (mid === lo || mid === hi) break;
      if (isSaturated(mid) === was) lo = mid;
      else hi = mid;
    }
    const crossing = (lo + hi) / 2;
    if (is) start = crossing;
    else {
      intervals.push([start ?? -Infinity, crossing]);
      start = null;
    }
  }
  if (start !== null) intervals.push([start, Infinity]);
  return intervals;
}
