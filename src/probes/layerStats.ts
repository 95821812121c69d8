/**
 * Per-layer statistics on a fixed probe batch, the quantities of Glorot & Bengio (2010) and the
 * mean-field papers. All are computed on the device and read back in one transfer.
 *
 * Conventions (population statistics over every (sample, unit) pair of the probe batch):
 * - gradVar is the variance of the per-sample gradient ∂ℓᵢ/∂zᵢ, ℓᵢ one sample's loss, so it does
 *   not depend on the probe batch size.
 * - weightGradVar and weightGradNorm are of ∂L/∂W with L the batch-mean loss: the gradient a
 *   training step would apply.
 * - saturated: share of pairs where φ'(z) < 5% of φ's largest slope.
 * - dead: share of units whose φ'(z) is exactly 0 for every probe sample.
 */
import * as tf from '../backend/tf.js';
import { maxSlope, SATURATION_THRESHOLD } from '../model/activations.js';
import { lossAndGradients, type Mlp } from '../model/mlp.js';

export interface LayerStats {
  weightStd: number;
  preactMean: number;
  preactVar: number;
  actMean: number;
  actVar: number;
  /** null for the softmax output layer, which has no elementwise φ. */
  saturated: number | null;
  dead: number | null;
  gradVar: number;
  weightGradVar: number;
  weightGradNorm: number;
  /** ‖ΔW‖/‖W‖ of the most recent update; null at step 0, before any update. */
  updateRatio: number | null;
}

export interface ProbeResult {
  /** Mean cross-entropy and accuracy on the probe batch. */
  probeLoss: number;
  probeAcc: number;
  layers: LayerStats[];
  /** False when any statistic came out NaN or ±Infinity. */
  finite: boolean;
}

/** Statistics measured on the batch; updateRatio is filled in by the training loop. */
const MEASURED = ['weightStd', 'preactMean', 'preactVar', 'actMean', 'actVar', 'saturated', 'dead', 'gradVar', 'weightGradVar', 'weightGradNorm'] as const;

export interface ProbeBatch {
  x: tf.Tensor2D;
  labels: tf.Tensor1D;
}

function layerStatsTensor(model: Mlp, z: tf.Tensor2D, a: tf.Tensor2D, dz: tf.Tensor2D, dW: tf.Tensor2D, w: tf.Tensor2D, isOutput: boolean, batch: number): tf.Tensor1D {
  const weights = tf.moments(w);
  const preact = tf.moments(z);
  const act = tf.moments(a);
  const perSampleGrad = tf.moments(tf.mul(dz, batch));
  const weightGrad = tf.moments(dW);
  let saturated: tf.Tensor = tf.scalar(0);
  let dead: tf.Tensor = tf.scalar(0);
  if (!isOutput) {
    const slope = tf.abs(model.ops.derivative(z));
    saturated = tf.mean(tf.cast(tf.less(slope, SATURATION_THRESHOLD * maxSlope(model.act, model.alpha)), 'float32'));
    dead = tf.mean(tf.cast(tf.equal(tf.max(slope, 0), 0), 'float32'));
  }
  return tf.stack([
    tf.sqrt(weights.variance),
    preact.mean,
    preact.variance,
    act.mean,
    act.variance,
    saturated,
    dead,
    perSampleGrad.variance,
    weightGrad.variance,
    tf.norm(dW),
  ]) as tf.Tensor1D;
}

/** One forward and backward pass on the probe batch, no update. */
export function probe(model: Mlp, batch: ProbeBatch): ProbeResult {
  const layerCount = model.weights.length;
  const packed = tf.tidy(() => {
    const grads = lossAndGradients(model, batch.x, batch.labels);
    const rows: tf.Tensor1D[] = [];
    for (let l = 0; l < layerCount; l++) {
      const isOutput = l === layerCount - 1;
      const z = grads.trace.preacts[l];
      const a = isOutput ? (tf.softmax(z) as tf.Tensor2D) : grads.trace.inputs[l + 1];
      rows.push(layerStatsTensor(model, z, a, grads.preactGrads[l], grads.weightGrads[l], model.weights[l], isOutput, batch.x.shape[0]));
    }
    const head = tf.stack([grads.loss, tf.div(grads.correct, batch.x.shape[0])]);
    return tf.concat([head, ...rows]);
  });
  const values = packed.dataSync();
  packed.dispose();
  const width = MEASURED.length;
  const layers: LayerStats[] = [];
  for (let l = 0; l < layerCount; l++) {
    const row = values.subarray(2 + l * width, 2 + (l + 1) * width);
    const stats = Object.fromEntries(MEASURED.map((key, k) => [key, row[k]])) as unknown as LayerStats;
    if (l === layerCount - 1) {
      stats.saturated = null;
      stats.dead = null;
    }
    stats.updateRatio = null;
    layers.push(stats);
  }
  return { probeLoss: values[0], probeAcc: values[1], layers, finite: values.every(Number.isFinite) };
}
