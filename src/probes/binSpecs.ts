/**
 * The fixed histogram bins of the probes (stored in metrics.jsonl), as plain numbers: the same bins
 * in every run, so two runs' histograms compare bin for bin. No tensors here; the probe counts with
 * histograms.ts, the readers (report) use binEdges/binLabels.
 *
 * Two kinds, each count array in ascending order of value, NaN last:
 * - linear {low, high, bins}: [under (< low, −Inf too), `bins` equal bins [low + k·w, low + (k+1)·w)
 *   with the last one closed at high, over (> high, +Inf too), NaN] — bins + 3 counts.
 * - signed-log10 {minExp, maxExp} (D = maxExp − minExp decades):
 *   [−over (x ≤ −10^maxExp, −Inf too), −decades from −[10^(maxExp−1), 10^maxExp) down to
 *   −[10^minExp, 10^(minExp+1)), −tiny (−10^minExp < x < 0), zero (x = 0 exactly), +tiny,
 *   +decades upward, +over (x ≥ 10^maxExp, +Inf too), NaN] — 2D + 6 counts. A power of ten
 *   opens its decade (10^k, as the double nearest it, is in [10^k, 10^(k+1))).
 */
import { ACTIVATION, type ActivationName } from '../model/activations.js';

export type BinSpec = { kind: 'linear'; low: number; high: number; bins: number } | { kind: 'signed-log10'; minExp: number; maxExp: number };

/** Bins of an activation bounded by its definition: linear, over its whole range. */
const BOUNDED_BINS = 20;
/** Unbounded activations (relu family, linear): magnitudes 1e-8…1e8, zero (dead relu units) apart. */
export const UNBOUNDED_ACT_BINS: BinSpec = { kind: 'signed-log10', minExp: -8, maxExp: 8 };
/**
 * Per-sample gradients ∂ℓᵢ/∂z: 1e-16…1e8 takes the grad var scale of the tables (1e-20…1e10, so
 * sd 1e-10…1e5) with room on both sides.
 */
export const GRAD_BINS: BinSpec = { kind: 'signed-log10', minExp: -16, maxExp: 8 };

/** The output layer's φ is the softmax: probabilities. */
const SOFTMAX_RANGE = [0, 1] as const;

/** φ(z)'s bins, from φ's range (the activation record): linear over a bounded range, log otherwise. */
export function actBinsFor(act: ActivationName | 'softmax'): BinSpec {
  const range = act === 'softmax' ? SOFTMAX_RANGE : ACTIVATION[act].range;
  return range === 'unbounded' ? UNBOUNDED_ACT_BINS : { kind: 'linear', low: range[0], high: range[1], bins: BOUNDED_BINS };
}

export function binCount(spec: BinSpec): number {
  return spec.kind === 'linear' ? spec.bins + 3 : 2 * (spec.maxExp - spec.minExp) + 6;
}

/** 10^k for k = −330 … 310, each the double nearest to it (as the literal 1ek parses). */
const POWERS_OF_TEN_FROM = -330;
const POWERS_OF_TEN = Float64Array.from({ length: 641 }, (_, i) => Number(`1e${i + POWERS_OF_TEN_FROM}`));
const LOG10_2 = Math.log10(2);
const exponentView = new Float64Array(1);
const exponentWords = new Int32Array(exponentView.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: the high word is second

/**
 * floor(log10 x) for a finite x > 0, exactly (x ≥ 10^k compared with the double nearest 10^k):
 * the binary exponent e gives floor(e·log10 2), the decade or one below it, and one comparison
 * settles it. Several times faster than Math.log10, and no rounding on a power of ten.
 */
export function decadeOf(x: number): number {
  exponentView[0] = x;
  let exponent = ((exponentWords[HIGH_WORD] >>> 20) & 0x7ff) - 1023;
  if (exponent === -1023) exponent = Math.floor(Math.log2(x)); // a float64 subnormal (below 2^-1022)
  let decade = Math.floor(exponent * LOG10_2);
  if (x >= POWERS_OF_TEN[decade + 1 - POWERS_OF_TEN_FROM]) decade++;
  return decade;
}

/** Which count a value goes to (histograms.ts counts the same way, unrolled). */
export function binIndex(spec: BinSpec, x: number): number {
  const last = binCount(spec) - 1;
  if (Number.isNaN(x)) return last;
  if (spec.kind === 'linear') {
    if (x < spec.low) return 0;
    if (x > spec.high) return spec.bins + 1;
    return 1 + Math.min(spec.bins - 1, Math.floor(((x - spec.low) / (spec.high - spec.low)) * spec.bins));
  }
  const decades = spec.maxExp - spec.minExp;
  const zero = decades + 2;
  if (x === 0) return zero;
  const magnitude = Math.abs(x);
  const d = magnitude === Infinity ? decades : Math.max(-1, Math.min(decades, decadeOf(magnitude) - spec.minExp));
  return zero + Math.sign(x) * (d + 2);
}

/** A short label for every count, in order (e.g. "[0.1, 0.15)", "-1e-3", "0", "NaN"). */
export function binLabels(spec: BinSpec): string[] {
  if (spec.kind === 'linear') {
    const width = (spec.high - spec.low) / spec.bins;
    const edge = (k: number) => Number((spec.low + k * width).toPrecision(6));
    return [`< ${spec.low}`, ...Array.from({ length: spec.bins }, (_, k) => `[${edge(k)}, ${edge(k + 1)}${k === spec.bins - 1 ? ']' : ')'}`), `> ${spec.high}`, 'NaN'];
  }
  const exps = Array.from({ length: spec.maxExp - spec.minExp }, (_, k) => spec.minExp + k);
  return [
    `≤ -1e${spec.maxExp}`,
    ...[...exps].reverse().map((e) => `-1e${e}`),
    `(-1e${spec.minExp}, 0)`,
    '0',
    `(0, 1e${spec.minExp})`,
    ...exps.map((e) => `+1e${e}`),
    `≥ 1e${spec.maxExp}`,
    'NaN',
  ];
}

/** A position on a continuous axis for each count (for charts): value for linear, signed decade for log. */
export function binCenters(spec: BinSpec): number[] {
  if (spec.kind === 'linear') {
    const width = (spec.high - spec.low) / spec.bins;
    return [spec.low - width / 2, ...Array.from({ length: spec.bins }, (_, k) => spec.low + (k + 0.5) * width), spec.high + width / 2, NaN];
  }
  // Signed "decades above the tiny bin": −(D+1) … −1 negative, 0 zero, 1 … D+1 positive.
  const decades = spec.maxExp - spec.minExp;
  return Array.from({ length: 2 * decades + 5 }, (_, i) => i - (decades + 2)).concat([NaN]);
}
