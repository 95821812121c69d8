/**
 * Per-layer statistics on a fixed probe batch, the quantities of Glorot & Bengio (2010) and the
 * mean-field papers. The device runs the probe's forward and backward pass; the statistics and
 * histograms are computed on the host, in float64, from the tensors read back.
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
import { ACTIVATION, SATURATION_THRESHOLD } from '../model/activations.js';
import { actBinsFor, type BinSpec, GRAD_BINS } from './binSpecs.js';
import { histogram } from './histograms.js';
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
  /**
   * With --batch-norm, hidden layers only: the mean and variance of ẑ, batch norm's output and φ's
   * input (preactMean/preactVar stay those of z, before it). The probe normalizes with the probe
   * batch's own statistics (training mode) at every point.
   */
  normalizedMean?: number;
  normalizedVar?: number;
}

/** Fixed-bin counts of one layer's values over every (sample, unit) pair of the probe batch (binSpecs.ts). */
export interface LayerHistograms {
  /** φ(z) (softmax for the output layer). */
  act: { bins: BinSpec; counts: number[] };
  /** The per-sample gradient ∂ℓᵢ/∂zᵢ, as gradVar. */
  grad: { bins: BinSpec; counts: number[] };
}

export interface ProbeResult {
  /** Mean cross-entropy and accuracy on the probe batch. */
  probeLoss: number;
  probeAcc: number;
  layers: LayerStats[];
  histograms: LayerHistograms[];
}

/**
 * Mean, population variance (two passes: no cancellation) and sum of squares, in float64. A
 * float32 value squared fits in a float64 many times over, so these overflow only when a value
 * is non-finite.
 */
function moments(values: Float32Array): { mean: number; variance: number; sumSquares: number } {
  const n = values.length;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    sum += x;
    sumSquares += x * x;
  }
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    squares += d * d;
  }
  return { mean, variance: squares / n, sumSquares };
}

/** Share of φ' values below the saturation threshold, and of units (columns) whose φ' is 0 for every sample. */
function saturationAndDeath(slope: Float32Array, units: number, saturationBelow: number): { saturated: number; dead: number } {
  let saturated = 0;
  const alive = new Uint8Array(units);
  for (let i = 0; i < slope.length; i++) {
    const value = slope[i];
    if (value < saturationBelow) saturated++;
    if (value !== 0) alive[i % units] = 1;
  }
  let dead = 0;
  for (let j = 0; j < units; j++) if (!alive[j]) dead++;
  return { saturated: saturated / slope.length, dead: dead / units };
}

function read(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/**
 * One forward and backward pass on the probe batch, no update. `given`: that pass already done
 * (by lossAndGradientsInterruptible, for big nets); its tensors stay the caller's to dispose.
 */
export function probe(model: Mlp, batch: LabeledBatch, given?: Gradients): ProbeResult {
  const layerCount = model.weights.length;
  const batchSize = batch.x.shape[0];
  const saturationBelow = SATURATION_THRESHOLD * ACTIVATION[model.act].maxSlope(model.alpha);
  const actBins = Array.from({ length: layerCount }, (_, l) => actBinsFor(l === layerCount - 1 ? 'softmax' : model.act));
  // The tensors the statistics need, kept past the tidy and read one layer at a time, so the host
  // holds at most one layer's values at once. Those of `given` stay the caller's to dispose.
  const kept = tf.tidy(() => {
    const grads = given ?? lossAndGradients(model, batch);
    // φ(z) of the output layer is its softmax; the hidden ones are the next layer's inputs.
    const outputAct = tf.softmax(grads.trace.preacts[layerCount - 1]) as tf.Tensor2D;
    return {
      outputAct,
      logProbs: grads.logProbs,
      layers: grads.preactGrads.map((dz, l) => ({
        z: grads.trace.preacts[l],
        a: l < layerCount - 1 ? grads.trace.inputs[l + 1] : outputAct,
        dz,
        dW: grads.weightGrads[l],
        slope: l < layerCount - 1 ? grads.slopes[l] : undefined,
        normalized: l < layerCount - 1 ? grads.trace.bn?.normalized[l] : undefined,
      })),
    };
  });
  const classes = model.sizes[model.sizes.length - 1];
  const layers: LayerStats[] = [];
  const histograms: LayerHistograms[] = [];
  kept.layers.forEach((tensors, l) => {
    // Statistics in float64 on the host: no float32 sum to overflow (|x|² of a float32 fits in a
    // float64 many times over) and no accumulated rounding, so a moment is non-finite only when
    // some value is. A few hundred device ops per probe (moments, bins) become one read per tensor.
    const weights = moments(model.weights[l].dataSync() as Float32Array);
    const preact = moments(read(tensors.z));
    const actValues = read(tensors.a);
    const act = moments(actValues);
    const gradValues = read(tensors.dz);
    const grad = moments(gradValues);
    const weightGrad = moments(read(tensors.dW));
    const normalized = tensors.normalized ? moments(read(tensors.normalized)) : null;
    const slope = tensors.slope ? saturationAndDeath(read(tensors.slope), model.sizes[l + 1], saturationBelow) : null;
    layers.push({
      weightStd: Math.sqrt(weights.variance),
      preactMean: preact.mean,
      preactVar: preact.variance,
      actMean: act.mean,
      actVar: act.variance,
      saturated: slope ? slope.saturated : null,
      dead: slope ? slope.dead : null,
      // ∂L/∂z of the batch-mean loss is 1/B of each sample's own ∂ℓᵢ/∂zᵢ.
      gradVar: grad.variance * batchSize * batchSize,
      weightGradVar: weightGrad.variance,
      weightGradNorm: Math.sqrt(weightGrad.sumSquares),
      updateRatio: null,
      ...(normalized ? { normalizedMean: normalized.mean, normalizedVar: normalized.variance } : {}),
    });
    histograms.push({
      act: { bins: actBins[l], counts: histogram(actValues, actBins[l]) },
      grad: { bins: GRAD_BINS, counts: histogram(gradValues, GRAD_BINS, batchSize) },
    });
  });
  const score = scoreLogProbs(read(kept.logProbs), batch.labels, classes);
  kept.outputAct.dispose();
  if (!given) tf.dispose([kept.logProbs, ...kept.layers.flatMap((t) => [t.z, t.a, t.dz, t.dW, ...(t.slope ? [t.slope] : []), ...(t.normalized ? [t.normalized] : [])])]);
  return { probeLoss: score.loss, probeAcc: score.correct / batchSize, layers, histograms };
}
