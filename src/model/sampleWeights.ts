/** Draws a weight matrix from an initializer's distribution. */
import * as tf from '../backend/tf.js';
import type { WeightDistribution } from './initializers.js';
import { orthonormalFactor } from './orthonormal.js';

/** E[z² | |z| < 2] for z ~ N(0,1), square-rooted: a ±2σ truncated normal's std is this × σ. */
export const TRUNCATED_NORMAL_STD_FACTOR = 0.87962566103423978;

/** A fanIn × fanOut matrix. `seed` must be a non-zero integer (0 means unseeded in tfjs). */
export function sampleWeights(dist: WeightDistribution, fanIn: number, fanOut: number, seed: number): tf.Tensor2D {
  const shape: [number, number] = [fanIn, fanOut];
  switch (dist.kind) {
    case 'normal':
      return tf.randomNormal(shape, 0, dist.std, 'float32', seed);
    case 'truncated-normal':
      return tf.truncatedNormal(shape, 0, dist.std / TRUNCATED_NORMAL_STD_FACTOR, 'float32', seed);
    case 'uniform':
      return tf.randomUniform(shape, -dist.limit, dist.limit, 'float32', seed);
    case 'orthogonal':
      return orthogonal(fanIn, fanOut, dist.gain, seed);
  }
}

/**
 * gain × a matrix with orthonormal columns (fanIn ≥ fanOut) or rows (fanIn < fanOut), uniformly
 * distributed: the Q of a seeded Gaussian matrix's QR, with the signs of R's diagonal folded into Q
 * (Mezzadri 2007). The QR runs on the host in float64 (./orthonormal.ts).
 */
function orthogonal(fanIn: number, fanOut: number, gain: number, seed: number): tf.Tensor2D {
  const tall = fanIn >= fanOut;
  const rows = tall ? fanIn : fanOut;
  const cols = tall ? fanOut : fanIn;
  const gaussian = tf.randomNormal([rows, cols], 0, 1, 'float32', seed);
  const drawn = gaussian.dataSync();
  gaussian.dispose();
  const q = orthonormalFactor(drawn, rows, cols);
  const values = new Float32Array(rows * cols);
  if (tall) {
    for (let i = 0; i < q.length; i++) values[i] = gain * q[i];
  } else {
    // fanIn × fanOut = Qᵀ.
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) values[j * rows + i] = gain * q[i * cols + j];
  }
  return tf.tensor2d(values, [fanIn, fanOut]);
}
