/**
 * What vgrad knows about each activation, as plain numbers: no tensors here, so the config,
 * the `inits` listing and the probes share one definition. The tensor ops live in activationOps.ts.
 */
export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'selu', 'softsign', 'linear'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Klambauer et al. 2017. */
export const SELU_LAMBDA = 1.0507009873554805;
export const SELU_ALPHA = 1.6732632423543772;

/**
 * The largest slope φ' takes anywhere. A (sample, unit) pair counts as saturated when φ'(z) is
 * below 5% of this.
 */
export function maxSlope(act: ActivationName, alpha: number): number {
  switch (act) {
    case 'sigmoid':
      return 0.25;
    case 'leaky-relu':
      return Math.max(1, alpha);
    case 'selu':
      return SELU_LAMBDA * SELU_ALPHA; // approached from z → 0⁻, above λ for z > 0
    default:
      return 1;
  }
}

export const SATURATION_THRESHOLD = 0.05;

/** The book's Table 11-1 (Géron, 1st ed., ch. 11) groups activations into three rows; the rest have no row. */
export type BookRow = 'logistic' | 'tanh' | 'relu';

export function bookRowFor(act: ActivationName): BookRow | undefined {
  switch (act) {
    case 'sigmoid':
      return 'logistic';
    case 'tanh':
      return 'tanh';
    case 'relu':
    case 'leaky-relu':
    case 'elu':
      return 'relu'; // "ReLU (and its variants)"
    default:
      return undefined;
  }
}
