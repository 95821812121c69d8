/**
 * Predicted beside measured: for a stored run's step-0 statistics, the mean-field prediction of
 * each layer's z var and grad var, the ratio measured ÷ predicted, and whether the two differ by
 * more than the sampling noise of one finite net on one probe batch allows. Pure math.
 *
 * The noise model, on the log scale (ratios, since the quantities span orders of magnitude):
 * - Finite width. One layer's measured second moment averages n_l units, each the square of a
 *   weighted sum with its own weight column. With Gaussian weights a column's quadratic form has
 *   relative variance 2·tr(C²)/tr(C)² ≤ 2 (C the input's second-moment matrix), so the layer
 *   average has relative variance at most 2/n_l, and the deviations multiply down the layers
 *   (Hanin & Rolnick 2018: fluctuations grow with Σ 1/n_l). Bound: Σ_{k ≤ l} 2/n_k for z var.
 *   Going down, each layer's back-propagation averages the same way: Σ over the hidden layers.
 * - Probe sampling: N samples × n_l units, relative variance of a variance estimate 2/(N·n_l).
 * The flag fires beyond DIFFERENCE_SDS of these standard deviations. Because 2/n_k is an upper
 * bound (tr(C²)/tr(C)² is below 1 except when every unit sees the same input), a flag means the
 * prediction really does not describe the net, not that the sample was unlucky.
 */
import { type ModelConfig, predictForConfig } from './forConfig.js';
import type { Prediction } from './meanField.js';

/** Standard deviations of the bound above before a difference is flagged. */
export const DIFFERENCE_SDS = 3;

export interface MeasuredLayer {
  kind: 'hidden' | 'output';
  fanIn: number;
  fanOut: number;
  /** The step-0 statistics of the layer (LayerStats or its stored form). */
  initial: { preactVar: number | null; gradVar: number | null };
}

export interface LayerComparison {
  predictedPreactVar: number;
  /** measured ÷ predicted; null where either is not finite or the prediction is 0. */
  preactRatio: number | null;
  /** Standard deviation of ln(measured ÷ predicted) that sampling alone explains. */
  preactLogSd: number;
  preactDiffers: boolean;
  /** The output layer's measured grad var times the predicted ratio to it (so exact at the output). */
  predictedGradVar: number | null;
  gradRatio: number | null;
  gradLogSd: number;
  gradDiffers: boolean;
}

/** Standard deviations of ln(measured ÷ predicted) for every layer, from the widths and the probe size. */
export function samplingLogSd(widths: number[], probeSamples: number): { preact: number[]; grad: number[] } {
  const hidden = widths.slice(0, -1);
  const hiddenSum = hidden.reduce((sum, n) => sum + 2 / n, 0);
  const outputWidth = widths[widths.length - 1];
  const preact: number[] = [];
  const grad: number[] = [];
  let forwardSum = 0;
  widths.forEach((n, l) => {
    forwardSum += 2 / n;
    const probe = 2 / (probeSamples * n);
    preact.push(Math.sqrt(forwardSum + probe));
    // The output layer's ratio is 1 by construction; above it nothing to add.
    grad.push(l === widths.length - 1 ? 0 : Math.sqrt(hiddenSum + probe + 2 / (probeSamples * outputWidth)));
  });
  return { preact, grad };
}

/** True when ln(ratio) is further from 0 than DIFFERENCE_SDS standard deviations (false when the ratio is unknown). */
export function differsBeyondNoise(ratio: number | null, logSd: number): boolean {
  if (ratio === null) return false;
  if (!(ratio > 0)) return true; // measured 0 (or a sign the theory rules out) where something was predicted
  return Math.abs(Math.log(ratio)) > DIFFERENCE_SDS * logSd;
}

function ratioOf(measured: number | null, predicted: number | null): number | null {
  if (measured === null || predicted === null || !Number.isFinite(measured) || !Number.isFinite(predicted) || predicted === 0) return null;
  return measured / predicted;
}

/**
 * Compares a run's step-0 layers (hidden ones, then the output) with the prediction for its
 * configuration (predictForConfig). `probeSamples` is the record's data.probeSamples.
 */
export function compareWithPrediction(layers: MeasuredLayer[], prediction: Prediction, probeSamples: number): LayerComparison[] {
  if (layers.length !== prediction.layers.length) {
    throw new Error(`the run has ${layers.length} layers, the prediction ${prediction.layers.length}`);
  }
  const noise = samplingLogSd(
    layers.map((layer) => layer.fanOut),
    probeSamples,
  );
  const outputGradVar = layers[layers.length - 1].initial.gradVar;
  return layers.map((layer, l) => {
    const predicted = prediction.layers[l];
    const preactRatio = ratioOf(layer.initial.preactVar, predicted.preactVar);
    const predictedGradVar = outputGradVar !== null && Number.isFinite(outputGradVar) ? outputGradVar * predicted.gradVarRatio : null;
    const isOutput = layer.kind === 'output';
    const gradRatio = isOutput ? null : ratioOf(layer.initial.gradVar, predictedGradVar);
    return {
      predictedPreactVar: predicted.preactVar,
      preactRatio,
      preactLogSd: noise.preact[l],
      preactDiffers: differsBeyondNoise(preactRatio, noise.preact[l]),
      predictedGradVar,
      gradRatio,
      gradLogSd: noise.grad[l],
      gradDiffers: isOutput ? false : differsBeyondNoise(gradRatio, noise.grad[l]),
    };
  });
}

/** The parts of a stored run record (store/record.ts) the overlay reads. */
export interface OverlayRecord {
  config: ModelConfig;
  data: { features: number; probeSamples: number };
  layers: MeasuredLayer[];
}

/**
 * The overlay for a stored run: the prediction for its configuration and the comparison of every
 * layer. `inputSecondMoment` is E[x²] of its training split (src/data/inputMoment.ts; 1 for
 * --data gaussian): the record does not store it.
 */
export function overlayForRecord(record: OverlayRecord, inputSecondMoment: number): { prediction: Prediction; layers: LayerComparison[] } {
  const classes = record.layers[record.layers.length - 1].fanOut;
  const prediction = predictForConfig(record.config, { features: record.data.features, classes, inputSecondMoment });
  return { prediction, layers: compareWithPrediction(record.layers, prediction, record.data.probeSamples) };
}
