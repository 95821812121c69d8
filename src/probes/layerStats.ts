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
import { type Gradients, type LabeledBatch, lossAndGradients, type Mlp, scoreLogProbs } from '../model/mlp.js';

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
}

/**
 * The raw values read back per layer; the statistics are derived from them in JS. Few ops per
 * layer on purpose: on wasm the statistics cost mostly per-op dispatch, not arithmetic.
 */
const RAW = ['weightVar', 'preactMean', 'preactVar', 'actMean', 'actVar', 'saturated', 'dead', 'gradVar', 'weightGradMean', 'weightGradVar'] as const;

function rawLayerTensor(z: tf.Tensor2D, a: tf.Tensor2D, dz: tf.Tensor2D, dW: tf.Tensor2D, w: tf.Tensor2D, slope: tf.Tensor2D | undefined, saturationBelow: number): tf.Tensor1D {
  const weights = tf.moments(w);
  const preact = tf.moments(z);
  const act = tf.moments(a);
  const grad = tf.moments(dz);
  const weightGrad = tf.moments(dW);
  // φ' ≥ 0 for every activation vgrad offers (leaky-relu's alpha is validated ≥ 0).
  const saturated = slope ? tf.mean(tf.cast(tf.less(slope, saturationBelow), 'float32')) : tf.scalar(0);
  const dead = slope ? tf.mean(tf.cast(tf.equal(tf.max(slope, 0), 0), 'float32')) : tf.scalar(0);
  return tf.stack([weights.variance, preact.mean, preact.variance, act.mean, act.variance, saturated, dead, grad.variance, weightGrad.mean, weightGrad.variance]) as tf.Tensor1D;
}

/**
 * One forward and backward pass on the probe batch, no update. `given`: that pass already done
 * (by lossAndGradientsInterruptible, for big nets); its tensors stay the caller's to dispose.
 */
export function probe(model: Mlp, batch: LabeledBatch, given?: Gradients): ProbeResult {
  const layerCount = model.weights.length;
  const batchSize = batch.x.shape[0];
  const saturationBelow = SATURATION_THRESHOLD * maxSlope(model.act, model.alpha);
  const packed = tf.tidy(() => {
    const grads = given ?? lossAndGradients(model, batch);
    const rows: tf.Tensor1D[] = [];
    for (let l = 0; l < layerCount; l++) {
      const isOutput = l === layerCount - 1;
      const z = grads.trace.preacts[l];
      const a = isOutput ? (tf.softmax(z) as tf.Tensor2D) : grads.trace.inputs[l + 1];
      rows.push(rawLayerTensor(z, a, grads.preactGrads[l], grads.weightGrads[l], model.weights[l], isOutput ? undefined : grads.slopes[l], saturationBelow));
    }
    return tf.concat([tf.reshape(grads.logProbs, [-1]), ...rows]);
  });
  const values = packed.dataSync();
  packed.dispose();
  const classes = model.sizes[model.sizes.length - 1];
  const statsStart = batchSize * classes;
  const score = scoreLogProbs(values.subarray(0, statsStart), batch.labels, classes);
  const width = RAW.length;
  const layers: LayerStats[] = [];
  for (let l = 0; l < layerCount; l++) {
    const row = values.subarray(statsStart + l * width, statsStart + (l + 1) * width);
    const raw = Object.fromEntries(RAW.map((key, k) => [key, row[k]])) as Record<(typeof RAW)[number], number>;
    const isOutput = l === layerCount - 1;
    const weightCount = model.sizes[l] * model.sizes[l + 1];
    layers.push({
      weightStd: Math.sqrt(raw.weightVar),
      preactMean: raw.preactMean,
      preactVar: raw.preactVar,
      actMean: raw.actMean,
      actVar: raw.actVar,
      saturated: isOutput ? null : raw.saturated,
      dead: isOutput ? null : raw.dead,
      // ∂L/∂z of the batch-mean loss is 1/B of each sample's own ∂ℓᵢ/∂zᵢ.
      gradVar: raw.gradVar * batchSize * batchSize,
      weightGradVar: raw.weightGradVar,
      // ‖∂L/∂W‖² = n · (variance + mean²), from the moments already read.
      weightGradNorm: Math.sqrt(weightCount * (raw.weightGradVar + raw.weightGradMean * raw.weightGradMean)),
      updateRatio: null,
    });
  }
  return { probeLoss: score.loss, probeAcc: score.correct / batchSize, layers };
}
