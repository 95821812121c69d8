/**
 * Each activation φ and its derivative φ' as tensor ops on the pre-activation z: the tensor half of
 * the activation records, a total record beside the facts in activations.ts (kept apart so that
 * commands that do not train never load TensorFlow.js).
 */
import * as tf from '../backend/tf.js';
import { type ActivationName, SELU_ALPHA, SELU_LAMBDA } from './activations.js';
import { capabilities } from '../backend/capabilities.js';

export interface ActivationOps {
  apply(z: tf.Tensor): tf.Tensor;
  /**
   * φ'(z), elementwise, given z and a = apply(z) (whichever needs fewer ops: on the native backend
   * each op costs 15–25 µs of dispatch, and tf.step there is a composite of ~7). At a kink (z = 0)
   * it takes the left slope, as tfjs's autodiff does.
   */
  derivative(z: tf.Tensor, a: tf.Tensor): tf.Tensor;
}

/**
 * The ops of each activation, given --alpha and whether tf.step is one kernel on the backend
 * running now (wasm: 13 µs for 64 × 300 against 60 µs for sign), where it then stays.
 */
export const ACTIVATION_OPS: Record<ActivationName, (alpha: number, stepKernel: boolean) => ActivationOps> = {
  sigmoid: () => ({
    apply: (z) => tf.sigmoid(z),
    // a is sigmoid(z) itself: the same values as recomputing it.
    derivative: (_z, a) => tf.tidy(() => tf.mul(a, tf.sub(1, a))),
  }),
  tanh: () => ({
    apply: (z) => tf.tanh(z),
    derivative: (_z, a) => tf.tidy(() => tf.sub(1, tf.square(a))),
  }),
  // relu(z) > 0 exactly where z > 0, so sign(a) is 1 there and 0 elsewhere: one op.
  relu: (_alpha, stepKernel) => ({ apply: (z) => tf.relu(z), derivative: stepKernel ? (z) => tf.step(z, 0) : (_z, a) => tf.sign(a) }),
  'leaky-relu': (alpha, stepKernel) => ({
    apply: (z) => tf.leakyRelu(z, alpha),
    // sign(a) is sign(z) for α > 0 (and 0 or 1 for α = 0); max(sign, α) maps −1 and 0 to α, 1 to 1
    // when α ≤ 1. A slope above 1 for negative z is rare enough to keep the general form.
    derivative: alpha <= 1 && !stepKernel ? (_z, a) => tf.maximum(tf.sign(a), alpha) : (z) => tf.step(z, alpha),
  }),
  elu: () => ({
    apply: (z) => tf.elu(z),
    // exp(min(z, 0)): exp(z) for z ≤ 0, exp(0) = 1 above.
    derivative: (z) => tf.tidy(() => tf.exp(tf.minimum(z, 0))),
  }),
  selu: () => ({
    apply: (z) => tf.selu(z),
    derivative: (z) =>
      tf.tidy(() => tf.where(tf.greater(z, 0), tf.fill(z.shape, SELU_LAMBDA), tf.mul(SELU_LAMBDA * SELU_ALPHA, tf.exp(z)))),
  }),
  softsign: () => ({
    apply: (z) => tf.tidy(() => tf.div(z, tf.add(1, tf.abs(z)))),
    derivative: (z) => tf.tidy(() => tf.reciprocal(tf.square(tf.add(1, tf.abs(z))))),
  }),
  linear: () => ({ apply: (z) => tf.clone(z), derivative: (z) => tf.onesLike(z) }),
};

/** The ops for `act` on the backend running now (some derivatives have a cheaper form on one backend). */
export function activationOps(act: ActivationName, alpha: number): ActivationOps {
  return ACTIVATION_OPS[act](alpha, capabilities().stepKernel);
}
