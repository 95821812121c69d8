/**
 * Per-layer statistics on a fixed probe batch, the quantities of Glorot & Bengio (2010) and the
 * mean-field papers. All are computed on the device and read back in one transfer.
 *
 * Conventions (population statistics over every (sample, unit) pair of the probe batch):
 * - gradVar is the variance of the per-sample gradient ∂ℓᵢ/∂zᵢ, ℓᵢ one sample's loss, so it does
 *   not depend on the probe batch size.
 * - weightGradVar and weightGradNorm are of ∂L/∂W with L the mean loss over the probe batch
 *   (default 512 held-out samples), not a training minibatch. A minibatch gradient carries more
 *   sampling noise, so the step's gradient is larger in norm: 1.3–1.4× at batch 64 on the default
 *   net at initialization.
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
 *
 * Each tensor's moments are taken of x / max|x| (every value in [−1, 1]) and scaled back in float64
 * in JS: a float32 reduction of x² over 51,200 pairs would overflow near |x| ≈ 1e34, long before x
 * itself leaves float32 range. So a moment is non-finite only when some value is.
 */
const MOMENTS = ['weight', 'preact', 'act', 'grad', 'weightGrad'] as const;
const RAW = [...MOMENTS.flatMap((m) => [`${m}Scale`, `${m}Mean`, `${m}Var`] as const), 'saturated', 'dead'] as const;

/** [max|x|, mean, variance] of x / max|x|, three scalars. */
function scaledMoments(x: tf.Tensor): tf.Scalar[] {
  const scale = tf.max(tf.abs(x)) as tf.Scalar;
  const scaled = tf.moments(tf.div(x, scale));
  return [scale, scaled.mean as tf.Scalar, scaled.variance as tf.Scalar];
}

/** Mean and variance of x from its scaled moments, in float64; max|x| = 0 means every value is 0. */
function unscale(scale: number, mean: number, variance: number): { mean: number; variance: number } {
  if (scale === 0) return { mean: 0, variance: 0 };
  return { mean: mean * scale, variance: variance * scale * scale };
}

function rawLayerTensor(z: tf.Tensor2D, a: tf.Tensor2D, dz: tf.Tensor2D, dW: tf.Tensor2D, w: tf.Tensor2D, slope: tf.Tensor2D | undefined, saturationBelow: number): tf.Tensor1D {
  // φ' ≥ 0 for every activation vgrad offers (leaky-relu's alpha is validated ≥ 0).
  const saturated = slope ? tf.mean(tf.cast(tf.less(slope, saturationBelow), 'float32')) : tf.scalar(0);
  const dead = slope ? tf.mean(tf.cast(tf.equal(tf.max(slope, 0), 0), 'float32')) : tf.scalar(0);
  return tf.stack([...[w, z, a, dz, dW].flatMap(scaledMoments), saturated, dead]) as tf.Tensor1D;
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
    const [weights, preact, act, grad, weightGrad] = MOMENTS.map((m) => unscale(raw[`${m}Scale`], raw[`${m}Mean`], raw[`${m}Var`]));
    const isOutput = l === layerCount - 1;
    const weightCount = model.sizes[l] * model.sizes[l + 1];
    layers.push({
      weightStd: Math.sqrt(weights.variance),
      preactMean: preact.mean,
      preactVar: preact.variance,
      actMean: act.mean,
      actVar: act.variance,
      saturated: isOutput ? null : raw.saturated,
      dead: isOutput ? null : raw.dead,
      // ∂L/∂z of the batch-mean loss is 1/B of each sample's own ∂ℓᵢ/∂zᵢ.
      gradVar: grad.variance * batchSize * batchSize,
      weightGradVar: weightGrad.variance,
      // ‖∂L/∂W‖² = n · (variance + mean²), from the moments already read.
      weightGradNorm: Math.sqrt(weightCount * (weightGrad.variance + weightGrad.mean * weightGrad.mean)),
      updateRatio: null,
    });
  }
  return { probeLoss: score.loss, probeAcc: score.correct / batchSize, layers };
}
