/** Each activation φ and its derivative φ' as tensor ops on the pre-activation z. */
import * as tf from '../backend/tf.js';
import { type ActivationName, SELU_ALPHA, SELU_LAMBDA } from './activations.js';

export interface ActivationOps {
  apply(z: tf.Tensor): tf.Tensor;
  /** φ'(z), elementwise. At a kink (z = 0) it takes the left slope, as tfjs's autodiff does. */
  derivative(z: tf.Tensor): tf.Tensor;
}

export function activationOps(act: ActivationName, alpha: number): ActivationOps {
  switch (act) {
    case 'sigmoid':
      return {
        apply: (z) => tf.sigmoid(z),
        derivative: (z) => tf.tidy(() => {
          const s = tf.sigmoid(z);
          return tf.mul(s, tf.sub(1, s));
        }),
      };
    case 'tanh':
      return {
        apply: (z) => tf.tanh(z),
        derivative: (z) => tf.tidy(() => tf.sub(1, tf.square(tf.tanh(z)))),
      };
    case 'relu':
      return { apply: (z) => tf.relu(z), derivative: (z) => tf.step(z, 0) };
    case 'leaky-relu':
      return { apply: (z) => tf.leakyRelu(z, alpha), derivative: (z) => tf.step(z, alpha) };
    case 'elu':
      return {
        apply: (z) => tf.elu(z),
        derivative: (z) => tf.tidy(() => tf.where(tf.greater(z, 0), tf.onesLike(z), tf.exp(z))),
      };
    case 'selu':
      return {
        apply: (z) => tf.selu(z),
        derivative: (z) =>
          tf.tidy(() => tf.where(tf.greater(z, 0), tf.fill(z.shape, SELU_LAMBDA), tf.mul(SELU_LAMBDA * SELU_ALPHA, tf.exp(z)))),
      };
    case 'softsign':
      return {
        apply: (z) => tf.tidy(() => tf.div(z, tf.add(1, tf.abs(z)))),
        derivative: (z) => tf.tidy(() => tf.reciprocal(tf.square(tf.add(1, tf.abs(z))))),
      };
    case 'linear':
      return { apply: (z) => tf.clone(z), derivative: (z) => tf.onesLike(z) };
  }
}
