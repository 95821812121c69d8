/**
 * Every fact vgrad knows about each activation, in one total record: φ and φ' as float64 functions
 * of one number, the slope the saturation rule measures against, the family and saturation baseline
 * the flag rules use, φ's range (which decides its histogram bins), the book's Table 11-1 row, the
 * kinks quadrature must split at, and the help text. No tensors here, so the config, `vgrad inits`,
 * the probes, the reports and the theory read one definition and commands that do not train stay
 * fast; the tensor forms are the parallel total record in activationOps.ts. An activation missing a
 * fact, here or there, does not compile.
 */
export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'selu', 'softsign', 'linear'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Klambauer et al. 2017. */
export const SELU_LAMBDA = 1.0507009873554805;
export const SELU_ALPHA = 1.6732632423543772;

/** A (sample, unit) pair counts as saturated when φ'(z) is below this share of the activation's maxSlope. */
export const SATURATION_THRESHOLD = 0.05;

/** The book's Table 11-1 (Géron, 1st ed., ch. 11) groups activations into three rows; the rest have no row. */
export type BookRow = 'logistic' | 'tanh' | 'relu';

/**
 * One-sided activations are "off" (flat, or nearly) on z < 0 by design; two-sided ones saturate
 * only in their tails, which a good init keeps z out of.
 */
export const ACTIVATION_FAMILIES = ['one-sided', 'two-sided'] as const;
export type ActivationFamily = (typeof ACTIVATION_FAMILIES)[number];
/** What a family's members show by design, said beside their names in rules and legends ('' for nothing). */
export const FAMILY_NOTE: Record<ActivationFamily, string> = { 'one-sided': 'off on z < 0 by design', 'two-sided': '' };

export interface ActivationFacts {
  /**
   * With --batch-norm at initialization: grad var's growth per layer toward the input, MEASURED
   * (src/theory/batchNorm.ts says how); absent where not measured.
   */
  batchNormGradientGrowth?: { rate: number; seeds: number[] };
  /** What `--act`'s help says about it, in brackets after its name; empty when the name says it all. */
  help: string;
  /** φ(u), in float64. `alpha` is --alpha, which only an activation with `usesAlpha` reads. */
  phi(u: number, alpha: number): number;
  /** φ'(u), in float64; at a kink the left slope, as tfjs's autodiff takes it. */
  slope(u: number, alpha: number): number;
  /** Where φ or φ' is not smooth: quadrature pieces must end there. */
  kinks: readonly number[];
  /** The largest slope φ' takes anywhere: a pair is saturated below SATURATION_THRESHOLD of it. */
  maxSlope(alpha: number): number;
  /** Reads --alpha (reports say its value beside the name). */
  usesAlpha: boolean;
  family: ActivationFamily;
  /**
   * The saturated share the activation shows by construction at its best init: the flag rules
   * flag a layer only beyond it. One-sided ones are off on about half the pairs of a zero-mean z
   * (elu and selu reach their flat tail there as the signal grows with depth); two-sided ones 0.
   */
  saturationBaseline: number;
  /** φ's range: a bounded one gets linear histogram bins over it (probes/binSpecs.ts), the rest log bins. */
  range: readonly [number, number] | 'unbounded';
  /** Its row in the book's Table 11-1 (`--init book`), or null when the table has none. */
  bookRow: BookRow | null;
  /** The initializer it is meant to start from (the flag rules' calibration pairs; bench). */
  bestInit: string;
  /**
   * φ(c·u) = c·φ(u) for every c > 0 (relu, leaky-relu, linear): its Gaussian moments scale with q,
   * so the theory's finite-width coefficients (src/theory/finiteWidth.ts) are the same at every q.
   */
  homogeneous: boolean;
}

function sigmoid(u: number): number {
  // Written so that neither branch overflows exp.
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

const ONE_SIDED = { family: 'one-sided', saturationBaseline: 0.5 } as const;
const TWO_SIDED = { family: 'two-sided', saturationBaseline: 0 } as const;

export const ACTIVATION: Record<ActivationName, ActivationFacts> = {
  sigmoid: {
    help: 'logistic',
    phi: sigmoid,
    slope: (u) => {
      const s = sigmoid(u);
      return s * (1 - s);
    },
    kinks: [],
    maxSlope: () => 0.25,
    usesAlpha: false,
    ...TWO_SIDED,
    range: [0, 1],
    bookRow: 'logistic',
    bestInit: 'xavier-logistic',
    homogeneous: false,
  },
  tanh: {
    help: '',
    phi: Math.tanh,
    slope: (u) => {
      // 1/cosh² rather than 1 − tanh², which rounds to 0 long before the true value does.
      const c = Math.cosh(u);
      return 1 / (c * c);
    },
    kinks: [],
    maxSlope: () => 1,
    usesAlpha: false,
    ...TWO_SIDED,
    range: [-1, 1],
    bookRow: 'tanh',
    bestInit: 'xavier',
    batchNormGradientGrowth: { rate: 1.227, seeds: [1.239, 1.202, 1.239] },
    homogeneous: false,
  },
  relu: {
    help: '',
    phi: (u) => (u > 0 ? u : 0),
    slope: (u) => (u > 0 ? 1 : 0),
    kinks: [0],
    maxSlope: () => 1,
    usesAlpha: false,
    ...ONE_SIDED,
    range: 'unbounded',
    bookRow: 'relu',
    bestInit: 'he',
    batchNormGradientGrowth: { rate: 1.485, seeds: [1.492, 1.467, 1.496] },
    homogeneous: true,
  },
  'leaky-relu': {
    help: 'slope --alpha below 0',
    phi: (u, alpha) => (u > 0 ? u : alpha * u),
    slope: (u, alpha) => (u > 0 ? 1 : alpha),
    kinks: [0],
    maxSlope: (alpha) => Math.max(1, alpha),
    usesAlpha: true,
    ...ONE_SIDED,
    range: 'unbounded',
    bookRow: 'relu', // "ReLU (and its variants)"
    bestInit: 'he',
    homogeneous: true,
  },
  elu: {
    help: '',
    phi: (u) => (u > 0 ? u : Math.expm1(u)),
    slope: (u) => (u > 0 ? 1 : Math.exp(u)),
    kinks: [0],
    maxSlope: () => 1,
    usesAlpha: false,
    ...ONE_SIDED,
    range: 'unbounded',
    bookRow: 'relu',
    bestInit: 'he',
    homogeneous: false,
  },
  selu: {
    help: 'scaled elu',
    phi: (u) => (u > 0 ? SELU_LAMBDA * u : SELU_LAMBDA * SELU_ALPHA * Math.expm1(u)),
    slope: (u) => (u > 0 ? SELU_LAMBDA : SELU_LAMBDA * SELU_ALPHA * Math.exp(u)),
    kinks: [0],
    maxSlope: () => SELU_LAMBDA * SELU_ALPHA, // approached from z → 0⁻, above λ for z > 0
    usesAlpha: false,
    ...ONE_SIDED,
    range: 'unbounded',
    bookRow: null,
    bestInit: 'lecun',
    homogeneous: false,
  },
  softsign: {
    help: 'z/(1+|z|)',
    phi: (u) => u / (1 + Math.abs(u)),
    slope: (u) => 1 / ((1 + Math.abs(u)) * (1 + Math.abs(u))),
    kinks: [0],
    maxSlope: () => 1,
    usesAlpha: false,
    ...TWO_SIDED,
    range: [-1, 1],
    bookRow: null,
    bestInit: 'xavier',
    homogeneous: false,
  },
  linear: {
    help: 'identity',
    phi: (u) => u,
    slope: () => 1,
    kinks: [],
    maxSlope: () => 1,
    usesAlpha: false,
    ...TWO_SIDED,
    range: 'unbounded',
    bookRow: null,
    bestInit: 'xavier',
    homogeneous: true,
  },
};

/** The facts of a name read from a stored record (any string): undefined when vgrad has no such activation. */
export function activationFacts(name: string): ActivationFacts | undefined {
  return Object.hasOwn(ACTIVATION, name) ? ACTIVATION[name as ActivationName] : undefined;
}

/** The activations with a fact, in ACTIVATIONS order (e.g. every one-sided one). */
export function activationsWhere(pick: (facts: ActivationFacts) => boolean): ActivationName[] {
  return ACTIVATIONS.filter((name) => pick(ACTIVATION[name]));
}

/** "a, b and c". */
export function listInWords(names: readonly string[], last = 'and'): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} ${last} ${names[names.length - 1]}`;
}
