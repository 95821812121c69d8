/**
 * Each activation φ and its slope φ' as plain functions of one number, for the mean-field
 * integrals: the float64 forms of the activation records (src/model/activations.ts), with --alpha
 * bound. They mirror src/model/activationOps.ts (the tensor versions the net runs).
 */
import { ACTIVATION, type ActivationName, SATURATION_THRESHOLD } from '../model/activations.js';

export interface ScalarActivation {
  phi(u: number): number;
  slope(u: number): number;
  /** Where φ or φ' is not smooth: quadrature pieces must end there. */
  kinks: readonly number[];
}

export function scalarActivation(act: ActivationName, alpha: number): ScalarActivation {
  const { phi, slope, kinks } = ACTIVATION[act];
  return { phi: (u) => phi(u, alpha), slope: (u) => slope(u, alpha), kinks };
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
  const below = SATURATION_THRESHOLD * ACTIVATION[act].maxSlope(alpha);
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
