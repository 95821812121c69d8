/**
 * Fixed-bin histograms of a tensor on the device, in a few elementwise ops and one bincount, so the
 * probe reads them back in its single transfer. Bins: binSpecs.ts (binIndex is the float64 reference).
 */
import * as tf from '../backend/tf.js';
import { type BinSpec, binCount } from './binSpecs.js';

/** The bin index of every value, as float32 (exact: fewer than 2^24 bins). */
function binIndices(x: tf.Tensor, spec: BinSpec): tf.Tensor {
  const last = binCount(spec) - 1;
  let index: tf.Tensor;
  if (spec.kind === 'linear') {
    const scaled = tf.floor(tf.mul(tf.sub(x, spec.low), spec.bins / (spec.high - spec.low)));
    // x = high belongs to the last bin, which is closed; below low → 0, above high → bins + 1.
    const closed = tf.where(tf.equal(x, spec.high), tf.fill(x.shape, spec.bins - 1), scaled);
    index = tf.add(tf.clipByValue(closed, -1, spec.bins), 1);
  } else {
    const decades = spec.maxExp - spec.minExp;
    // floor(log10|x|) − minExp clipped to [−1 (tiny, and 0), decades (overflow)], then signed around the zero bin.
    const exponent = tf.floor(tf.mul(tf.log(tf.abs(x)), 1 / Math.LN10));
    const offset = tf.add(tf.clipByValue(tf.sub(exponent, spec.minExp), -1, decades), 2);
    index = tf.add(tf.mul(tf.sign(x), offset), decades + 2);
  }
  return tf.where(tf.isNaN(x), tf.fill(x.shape, last), index);
}

/** Counts per bin of every value of `x`, float32, binCount(spec) long. */
export function histogram(x: tf.Tensor, spec: BinSpec): tf.Tensor1D {
  const indices = tf.cast(tf.reshape(binIndices(x, spec), [-1]), 'int32') as tf.Tensor1D;
  return tf.cast(tf.bincount(indices, tf.tensor1d([], 'float32'), binCount(spec)), 'float32') as tf.Tensor1D;
}
