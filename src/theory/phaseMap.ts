/**
 * The order-to-chaos map (Poole et al. 2016; Schoenholz et al. 2017, Fig. 1): the phase numbers
 * (./phase.ts) over a grid of σw² × σb², and the critical line χ₁ = 1 through it. Pure math.
 *
 * A map has hundreds of points, so each uses the fast trapezoid pair rule at picture precision
 * (about 1e-6 relative for a smooth φ such as tanh; about 1e-3 across a kink, relu family) and the
 * 1-D expectations at 1e-9; `vgrad theory` without --map gives one point to full precision.
 */
import type { ActivationName } from '../model/activations.js';
import { criticalSigmaW2, gridPairRule, phaseNumbers, type PhaseNumbers } from './phase.js';

export interface PhaseMapSpec {
  act: ActivationName;
  alpha: number;
  /** Inclusive ranges, and how many evenly spaced values of each. */
  sigmaW2: [number, number];
  sigmaB2: [number, number];
  columns: number;
  rows: number;
}

export interface PhaseMap {
  act: ActivationName;
  alpha: number;
  /** The grid's σw² values (columns) and σb² values (rows), ascending. */
  sigmaW2: number[];
  sigmaB2: number[];
  /** cells[row][column]: the phase numbers at (sigmaW2[column], sigmaB2[row]). */
  cells: PhaseNumbers[][];
  /** Per row: the σw² where χ₁ = 1 at that σb², or null when it is outside the σw² range. */
  critical: (number | null)[];
}

/** `count` evenly spaced values from lo to hi inclusive (lo alone when count is 1). */
export function evenlySpaced([lo, hi]: [number, number], count: number): number[] {
  if (count === 1) return [lo];
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? hi : lo + ((hi - lo) * i) / (count - 1)));
}

export function phaseMap(spec: PhaseMapSpec): PhaseMap {
  const sigmaW2 = evenlySpaced(spec.sigmaW2, spec.columns);
  const sigmaB2 = evenlySpaced(spec.sigmaB2, spec.rows);
  const options = { relTol: 1e-9, iterations: 1000, pairRule: gridPairRule(0.25, 0.6) };
  const cells = sigmaB2.map((sb2) => sigmaW2.map((sw2) => phaseNumbers(spec.act, spec.alpha, sw2, sb2, options)));
  const critical = sigmaB2.map((sb2) => criticalSigmaW2(spec.act, spec.alpha, sb2, spec.sigmaW2[0], spec.sigmaW2[1], 1e-6));
  return { act: spec.act, alpha: spec.alpha, sigmaW2, sigmaB2, cells, critical };
}
